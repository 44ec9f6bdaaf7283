import type { ImageLibrary } from '../../library/imageLibrary.js';

/** A snapshot this old is read again (the re-check also drops it when a channel's pass begins). */
const SNAPSHOT_MAX_AGE_MS = 10 * 60 * 1000;

/**
 * The ids of the indexed messages of each channel, sorted, for the re-check to walk. Built
 * from the library in one sweep per guild and kept for a while (a typed array per channel,
 * 8 bytes a message), not rebuilt for every page.
 */
export class IndexedMessageIds {
  private readonly snapshots = new Map<string, { builtAt: number; channels: Map<string, BigUint64Array> }>();

  constructor(private readonly library: ImageLibrary) {}

  /** The channel's indexed message ids, ascending. */
  of(guildId: string, channelId: string): BigUint64Array {
    let snapshot = this.snapshots.get(guildId);
    if (snapshot === undefined || Date.now() - snapshot.builtAt > SNAPSHOT_MAX_AGE_MS || !snapshot.channels.has(channelId)) {
      snapshot = { builtAt: Date.now(), channels: this.build(guildId) };
      this.snapshots.set(guildId, snapshot);
    }
    return snapshot.channels.get(channelId) ?? new BigUint64Array();
  }

  forget(guildId: string): void {
    this.snapshots.delete(guildId);
  }

  private build(guildId: string): Map<string, BigUint64Array> {
    const byChannel = new Map<string, Set<bigint>>();
    for (const image of this.library.images(guildId)) {
      if (!/^\d+$/.test(image.messageId)) continue;
      let ids = byChannel.get(image.channelId);
      if (ids === undefined) byChannel.set(image.channelId, (ids = new Set()));
      ids.add(BigInt(image.messageId));
    }
    return new Map([...byChannel].map(([channelId, ids]) => [channelId, BigUint64Array.from(ids).sort()]));
  }
}

/** Index of the first id greater than `after` (ids ascending). */
export function firstAfter(ids: BigUint64Array, after: bigint): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ids[middle]! <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
