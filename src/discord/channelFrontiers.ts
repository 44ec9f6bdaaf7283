import type { ImageStore } from '../search/imageStore.js';

interface Frontier {
  guildId: string;
  channelId: string;
  /** Every message up to and including this id has been handled. */
  cursor: bigint | undefined;
  inFlight: Set<bigint>;
  /** Finished messages newer than an older one still in flight. */
  finished: Set<bigint>;
  dirty: boolean;
}

/**
 * Per channel, the newest message before which everything has been indexed. Messages
 * finish out of order (images take different times), so the cursor only moves past a
 * message once every older one has finished; catch-up after a crash re-reads from it,
 * and anything re-read that was already indexed is skipped.
 */
export class ChannelFrontiers {
  private readonly frontiers = new Map<string, Frontier>();

  constructor(private readonly store: ImageStore) {}

  /** Starts handling a message; call the returned function when it is done. */
  begin(guildId: string, channelId: string, messageId: string): () => void {
    const frontier = this.frontier(guildId, channelId);
    const id = BigInt(messageId);
    if (frontier.cursor !== undefined && id <= frontier.cursor) return () => {};
    frontier.inFlight.add(id);
    return () => this.finish(frontier, id);
  }

  /**
   * Loads a channel's stored cursor and holds the frontier there until `release` is
   * called, so messages arriving live during catch-up cannot move it past older
   * messages catch-up has not reached yet. Undefined when the channel has no cursor.
   */
  async holdForCatchUp(guildId: string, channelId: string): Promise<{ after: string; release: () => void } | undefined> {
    const frontier = this.frontier(guildId, channelId);
    if (frontier.cursor === undefined) {
      const stored = await this.store.getCursor<string>(guildId, cursorKey(channelId));
      if (stored === undefined) return undefined;
      frontier.cursor = BigInt(stored);
    }
    const after = frontier.cursor.toString();
    const marker = frontier.cursor + 1n;
    frontier.inFlight.add(marker);
    return { after, release: () => this.finish(frontier, marker) };
  }

  async reset(guildId: string, channelId: string, messageId: string): Promise<void> {
    const frontier = this.frontier(guildId, channelId);
    frontier.cursor = BigInt(messageId);
    frontier.finished.clear();
    await this.store.setCursor(guildId, cursorKey(channelId), messageId);
    frontier.dirty = false;
  }

  async forget(guildId: string, channelId: string): Promise<void> {
    this.frontiers.delete(key(guildId, channelId));
    await this.store.deleteCursor(guildId, cursorKey(channelId));
  }

  /** Writes the cursors that moved since the last save. */
  async save(): Promise<void> {
    for (const frontier of this.frontiers.values()) {
      if (!frontier.dirty || frontier.cursor === undefined) continue;
      frontier.dirty = false;
      await this.store.setCursor(frontier.guildId, cursorKey(frontier.channelId), frontier.cursor.toString());
    }
  }

  private finish(frontier: Frontier, id: bigint): void {
    frontier.inFlight.delete(id);
    frontier.finished.add(id);
    let oldestInFlight: bigint | undefined;
    for (const pending of frontier.inFlight) if (oldestInFlight === undefined || pending < oldestInFlight) oldestInFlight = pending;
    let next = frontier.cursor;
    for (const done of frontier.finished) {
      if (oldestInFlight !== undefined && done > oldestInFlight) continue;
      frontier.finished.delete(done);
      if (next === undefined || done > next) next = done;
    }
    if (next !== frontier.cursor) {
      frontier.cursor = next;
      frontier.dirty = true;
    }
  }

  private frontier(guildId: string, channelId: string): Frontier {
    const k = key(guildId, channelId);
    let frontier = this.frontiers.get(k);
    if (frontier === undefined) {
      frontier = { guildId, channelId, cursor: undefined, inFlight: new Set(), finished: new Set(), dirty: false };
      this.frontiers.set(k, frontier);
    }
    return frontier;
  }
}

function key(guildId: string, channelId: string): string {
  return `${guildId}/${channelId}`;
}

function cursorKey(channelId: string): string {
  return `live:${channelId}`;
}
