/** A /reindex walk as the store keeps it: stored after every page, so a restart resumes it. */
export interface ReindexState {
  guildId: string;
  /** The channel /reindex named; the walk is filed under it. */
  channelId: string;
  status: 'running' | 'stopped' | 'done' | 'failed';
  /** Channels still to walk, the one being walked first: the channel itself (not a forum or media channel, which holds only posts), then its threads. */
  queue: string[];
  /** Channels already walked to their start. */
  walked: number;
  /** The oldest message of `queue[0]` fully handled; its walk continues below it. */
  before: string | undefined;
  /** The newest message of `queue[0]` when its walk began; progress is measured between it and the channel's creation. */
  newestAt: number | undefined;
  scanned: number;
  indexed: number;
  skipped: number;
  failed: number;
  startedAt: number;
  /** Seconds spent walking, across restarts (for the rate). */
  activeSeconds: number;
  /** The public progress message, when the walk has one. */
  progressMessage: { channelId: string; messageId: string } | undefined;
  /** Why it failed: a message key (`reindex.failedAccess`); walks stored by earlier versions hold the English sentence. */
  error?: string;
}
