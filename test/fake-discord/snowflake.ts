/** Discord snowflakes: 42 bits of milliseconds since the Discord epoch, then worker, process and increment. */
export const DISCORD_EPOCH = 1420070400000n;

/** Makes ids that sort by creation time, as Discord's do, even when many are made in one millisecond. */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private increment = 0n;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = BigInt(this.now());
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.increment += 1n;
      // 12 bits of increment per millisecond; borrow the next millisecond rather than wrap.
      if (this.increment > 0xfffn) {
        ms += 1n;
        this.increment = 0n;
      }
    } else {
      this.increment = 0n;
    }
    this.lastMs = ms;
    return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | (1n << 12n) | this.increment).toString();
  }
}

/** Unix milliseconds at which a snowflake was made. */
export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** The shard a guild's events go to: Discord's `(guild_id >> 22) % num_shards`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
