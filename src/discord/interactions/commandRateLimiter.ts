/**
 * A per-member sliding window: at most `limit` uses in any minute (of commands, or of
 * controls). Searches cost real CPU, and every press asks Discord again; one member must not
 * be able to starve a 100,000-member server.
 */
export class CommandRateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a use and returns 0, or returns how many seconds to wait without recording. */
  take(userId: string, now = Date.now()): number {
    const times = (this.recent.get(userId) ?? []).filter((time) => now - time < this.windowMs);
    if (times.length >= this.limit) {
      this.recent.set(userId, times);
      return Math.ceil((times[0]! + this.windowMs - now) / 1000);
    }
    times.push(now);
    this.recent.set(userId, times);
    if (this.recent.size > 10_000) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [userId, times] of this.recent) {
      if (times.every((time) => now - time >= this.windowMs)) this.recent.delete(userId);
    }
  }
}
