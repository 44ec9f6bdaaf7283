import type { IngestFailure } from '../../ingest/ingestQueue.js';
import type { ImageStore } from '../../store/imageStore.js';
import type { ChannelRecheck } from '../indexing/deletionRecheck.js';
import type { ReindexState } from '../indexing/reindexState.js';
import { GuildSettings } from './guildSettings.js';
import { RepostHistory } from './repostHistory.js';
import { ChannelValues, GuildValue } from './storedValues.js';

/**
 * Everything the bot keeps per guild besides the images, in one typed place: what admins
 * chose (settings), and where each background task stands. No other code names a stored key.
 */
export class GuildState {
  /** Indexed channels, /settings, /reposts, members who opted out, the welcome. */
  readonly settings: GuildSettings;
  /** Reposts noticed lately, and the repost actions Discord refused per channel. */
  readonly reposts: RepostHistory;
  /** Per channel: the newest message before which everything was indexed (catch-up starts there). */
  readonly liveCursors: ChannelValues<string>;
  /** Per indexed channel the bot cannot read: the permissions it last reported missing. */
  readonly unreadableReports: ChannelValues<string>;
  /** Per channel: where the deletion re-check stands. */
  readonly rechecks: ChannelValues<ChannelRecheck>;
  /** Per channel /reindex named: its walk. */
  readonly reindexWalks: ChannelValues<ReindexState>;
  private readonly failureCount: GuildValue<number>;
  private readonly lastFailure: GuildValue<IngestFailure>;

  constructor(store: ImageStore) {
    this.settings = new GuildSettings(store);
    this.reposts = new RepostHistory(store);
    this.liveCursors = new ChannelValues(store, 'live:');
    this.unreadableReports = new ChannelValues(store, 'unreadable:');
    this.rechecks = new ChannelValues(store, 'recheck:');
    this.reindexWalks = new ChannelValues(store, 'reindex:');
    this.failureCount = new GuildValue(store, 'failures');
    this.lastFailure = new GuildValue(store, 'last-failure');
  }

  /** Counts an image that could not be indexed, and keeps why (shown to admins by /stats). */
  async recordFailure(guildId: string, failure: IngestFailure): Promise<void> {
    await this.failureCount.set(guildId, ((await this.failureCount.get(guildId)) ?? 0) + 1);
    await this.lastFailure.set(guildId, failure);
  }

  async failures(guildId: string): Promise<{ count: number; last: IngestFailure | undefined }> {
    return { count: (await this.failureCount.get(guildId)) ?? 0, last: await this.lastFailure.get(guildId) };
  }
}
