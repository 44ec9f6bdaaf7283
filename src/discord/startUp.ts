import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger.js';

/** What the bot begins once it is connected, in this order. */
export interface StartUpWork {
  /** Forgets the servers that removed the bot while it was offline. */
  forgetDepartedServers: () => Promise<void>;
  /** Indexes what was posted while the bot was down (a channel it could not read is tried again by catch-up itself). */
  catchUp: () => Promise<void>;
  /** Continues the /reindex walks that were running. */
  resumeWalks: () => Promise<void>;
  /** Starts the background re-check of indexed messages. */
  startRecheck: () => void;
}

export interface StartUpOptions {
  /** Ends the work early (shutdown): no step starts, and no retry waits, after it. */
  signal: AbortSignal;
  /** The first wait before walks are resumed again after failing; it doubles, up to 10 minutes. */
  firstRetryMs?: number;
}

const LONGEST_RETRY_MS = 10 * 60_000;

/**
 * Runs the start-up work one step after another: catch-up first (what was posted during downtime
 * matters more than old history, and both share the download slots and Discord's rate limits),
 * then the walks, then the re-check. Every step starts whether or not the ones before it worked:
 * a failure is logged once, saying what it leaves undone. Walks that could not be resumed (their
 * states could not be read) are tried again, waiting longer each time: until then their progress
 * says "running" and nothing moves. Forgetting departed servers is not: when Discord cannot
 * say, the images are kept on purpose and the servers are asked about on the next start.
 */
export async function runStartUp(work: StartUpWork, options: StartUpOptions): Promise<void> {
  const { signal } = options;
  await attempt(work.forgetDepartedServers, 'forgetting servers that removed the bot while it was offline failed; tried on the next start');
  if (signal.aborted) return;
  await attempt(work.catchUp, 'catch-up after start failed; the channels it did not reach are read on the next reconnect or start');
  if (signal.aborted) return;
  const resumed = await attempt(work.resumeWalks, 'resuming reindex walks failed; tried again in a while');
  if (signal.aborted) return;
  try {
    work.startRecheck();
  } catch (error) {
    logger.error({ err: error }, 'the re-check of indexed messages could not start; it starts with the next start');
  }
  if (!resumed) await resumeUntilItWorks(work.resumeWalks, options);
}

async function resumeUntilItWorks(resumeWalks: () => Promise<void>, { signal, firstRetryMs = 10_000 }: StartUpOptions): Promise<void> {
  for (let waitMs = firstRetryMs; ; waitMs = Math.min(waitMs * 2, LONGEST_RETRY_MS)) {
    const waited = await sleep(waitMs, true, { signal }).catch(() => false);
    if (!waited) return;
    if (await attempt(resumeWalks)) {
      logger.info('resuming reindex walks worked this time');
      return;
    }
  }
}

/** Runs a step; a failure is logged (as `failed` says: the first time) and answered with false. */
async function attempt(step: () => Promise<void>, failed?: string): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (error) {
    if (failed !== undefined) logger.error({ err: error }, failed);
    else logger.debug({ err: error }, 'resuming reindex walks failed again');
    return false;
  }
}
