import type { ChannelValues } from '../guildState/storedValues.js';

interface Frontier {
  guildId: string;
  channelId: string;
  /** Every message up to and including this id has been handled. */
  cursor: bigint | undefined;
  inFlight: Set<bigint>;
  /** Finished messages the cursor has not passed yet (an older one is in flight, or catch-up holds it). */
  finished: Set<bigint>;
  /** Catch-ups pending or running: until they end the cursor stays where catch-up started. */
  holds: number;
  dirty: boolean;
}

/**
 * Per channel, the newest message before which everything has been indexed. Messages
 * finish out of order (images take different times), so the cursor only moves past a
 * message once every older one has finished; catch-up after a crash re-reads from it,
 * and anything re-read that was already indexed is skipped. At start every channel is
 * held before anything is read, so a live message in a channel whose catch-up has not
 * run yet cannot move (and save) its cursor past what was posted while the bot was down.
 */
export class ChannelFrontiers {
  private readonly frontiers = new Map<string, Frontier>();

  constructor(private readonly cursors: ChannelValues<string>) {}

  /** Starts handling a message; call the returned function when it is done. */
  begin(guildId: string, channelId: string, messageId: string): () => void {
    const frontier = this.frontier(guildId, channelId);
    const id = BigInt(messageId);
    if (frontier.cursor !== undefined && id <= frontier.cursor) return () => {};
    frontier.inFlight.add(id);
    return () => this.finish(frontier, id);
  }

  /** Keeps a channel's cursor from moving until the returned function is called (catch-up at start). */
  hold(guildId: string, channelId: string): () => void {
    const frontier = this.frontier(guildId, channelId);
    frontier.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      frontier.holds--;
      this.advance(frontier);
    };
  }

  /** The cursor stored for a channel (where its catch-up starts), undefined when it has none. */
  async stored(guildId: string, channelId: string): Promise<string | undefined> {
    return this.cursors.get(guildId, channelId);
  }

  /** Catch-up of a held channel reads after `messageId`: the cursor goes back there, whatever live messages did. */
  startCatchUp(guildId: string, channelId: string, messageId: string): void {
    const frontier = this.frontier(guildId, channelId);
    frontier.cursor = BigInt(messageId);
    frontier.dirty = true;
  }

  async reset(guildId: string, channelId: string, messageId: string): Promise<void> {
    const frontier = this.frontier(guildId, channelId);
    frontier.cursor = BigInt(messageId);
    frontier.finished.clear();
    await this.cursors.set(guildId, channelId, messageId);
    frontier.dirty = false;
  }

  async forget(guildId: string, channelId: string): Promise<void> {
    this.frontiers.delete(key(guildId, channelId));
    await this.cursors.delete(guildId, channelId);
  }

  /** A server the bot left: its cursors are not saved again (its stored ones went with its index). */
  forgetGuild(guildId: string): void {
    for (const [k, frontier] of this.frontiers) if (frontier.guildId === guildId) this.frontiers.delete(k);
  }

  /** Writes the cursors that moved since the last save. */
  async save(): Promise<void> {
    for (const frontier of this.frontiers.values()) {
      // A held cursor may have been moved by live messages ahead of catch-up: not to be trusted yet.
      if (!frontier.dirty || frontier.cursor === undefined || frontier.holds > 0) continue;
      frontier.dirty = false;
      await this.cursors.set(frontier.guildId, frontier.channelId, frontier.cursor.toString());
    }
  }

  private finish(frontier: Frontier, id: bigint): void {
    frontier.inFlight.delete(id);
    frontier.finished.add(id);
    this.advance(frontier);
  }

  private advance(frontier: Frontier): void {
    if (frontier.holds > 0) return;
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
      frontier = { guildId, channelId, cursor: undefined, inFlight: new Set(), finished: new Set(), holds: 0, dirty: false };
      this.frontiers.set(k, frontier);
    }
    return frontier;
  }
}

function key(guildId: string, channelId: string): string {
  return `${guildId}/${channelId}`;
}
