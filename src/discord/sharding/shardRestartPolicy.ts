/**
 * When a shard process that died is started again. Each crash soon after a start doubles the
 * pause before the next start (up to a cap); a run that lasted counts as healthy and starts the
 * count over; too many quick crashes in a row means something restarting cannot fix.
 */

export interface RestartPolicy {
  /** The pause after the first crash. */
  firstDelayMs: number;
  /** The longest pause. */
  maxDelayMs: number;
  /** A shard that ran this long before crashing was healthy: its crash count starts over. */
  stableAfterMs: number;
  /** This many quick crashes in a row: give up. */
  giveUpAfter: number;
}

/** 1, 2, 4, 8, 16 s between the first six quick crashes (plus each start-up), then give up. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
  stableAfterMs: 5 * 60_000,
  giveUpAfter: 6,
};

export type RestartDecision = { giveUp: false; delayMs: number } | { giveUp: true; crashesInARow: number };

/** One shard's starts and crashes, as far as the policy needs them. */
export interface RestartHistory {
  started(at: number): void;
  /** Records a crash and returns how many quick crashes there have been in a row, counting this one. */
  crashed(at: number): number;
}

export function restartHistory(policy: RestartPolicy): RestartHistory {
  let startedAt = 0;
  let quickCrashes = 0;
  return {
    started(at) {
      startedAt = at;
    },
    crashed(at) {
      quickCrashes = at - startedAt >= policy.stableAfterMs ? 1 : quickCrashes + 1;
      return quickCrashes;
    },
  };
}

export function nextRestart(crashesInARow: number, policy: RestartPolicy): RestartDecision {
  if (crashesInARow >= policy.giveUpAfter) return { giveUp: true, crashesInARow };
  return { giveUp: false, delayMs: Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (crashesInARow - 1)) };
}
