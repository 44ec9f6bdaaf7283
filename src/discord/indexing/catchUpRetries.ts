import type { GuildBasedChannel } from 'discord.js';

/** A channel held for catch-up: its cursor stays where it is until `release`. */
export interface HeldChannel {
  channel: GuildBasedChannel;
  release: () => void;
}

const FIRST_RETRY_MS = 10_000;
const LONGEST_RETRY_MS = 10 * 60_000;

/**
 * Channels whose catch-up stopped early (Discord answered with errors, or the store failed).
 * Each keeps its hold, so its cursor stays below what was not read, and is read again well
 * before the next start: after 10 s, then twice as long after each round that leaves any
 * behind, up to 10 minutes (an outage can last hours; a round costs a request or two a channel).
 */
export class CatchUpRetries {
  private readonly behind = new Map<string, HeldChannel>();
  /** Channels whose last catch-up failed: their failure is logged once, and their recovery too. */
  private readonly failing = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private delayMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(private readonly retry: (due: HeldChannel[]) => void) {}

  get size(): number {
    return this.behind.size;
  }

  /** A channel's catch-up stopped early: it is read again later. True the first time in a row (to log it once). */
  fellBehind(target: HeldChannel): boolean {
    this.behind.set(target.channel.id, target);
    const first = !this.failing.has(target.channel.id);
    this.failing.add(target.channel.id);
    return first;
  }

  /** A channel was caught up: true when an earlier catch-up of it had failed. */
  caughtUp(channelId: string): boolean {
    return this.failing.delete(channelId);
  }

  /** The hold of a channel that is behind, for a new catch-up of it (after a reconnect) to take over. */
  take(channelId: string): (() => void) | undefined {
    const target = this.behind.get(channelId);
    this.behind.delete(channelId);
    return target?.release;
  }

  /** A channel deleted: nothing of it is read again. */
  forget(channelId: string): void {
    this.behind.delete(channelId);
    this.failing.delete(channelId);
  }

  /** After a round of catch-up: the next is due later if any channel is behind. */
  schedule(): void {
    if (this.behind.size === 0) this.delayMs = FIRST_RETRY_MS;
    if (this.behind.size === 0 || this.stopped || this.timer !== undefined) return;
    const delayMs = this.delayMs;
    this.delayMs = Math.min(delayMs * 2, LONGEST_RETRY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const due = [...this.behind.values()];
      this.behind.clear();
      this.retry(due);
    }, delayMs);
    this.timer.unref();
  }

  /** Shutting down: no more rounds (the holds stay, so the next start reads what was not read). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
