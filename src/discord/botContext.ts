import type { Config } from '../config.js';
import type { FetchImageOptions } from '../fetch/imageFetcher.js';
import type { IngestQueue } from '../ingest/ingestQueue.js';
import type { ImageLibrary } from '../library/imageLibrary.js';
import type { BotMetrics } from '../ops/metrics.js';
import type { ImageStore } from '../store/imageStore.js';
import type { MemberAccess } from './access/memberAccess.js';
import type { GuildState } from './guildState/guildState.js';
import type { LiveIndexer } from './indexing/liveIndexer.js';
import type { IndexForgetting } from './indexing/indexForgetting.js';
import type { ReindexJobs } from './indexing/reindexJobs.js';
import type { HitSearch } from './results/hitSearch.js';
import type { ResultPages } from './results/resultPages.js';
import type { ResultSessions } from './results/resultSessions.js';

/** What command handlers work with: the engine and the bot's running parts. */
export interface BotContext {
  config: Config;
  library: ImageLibrary;
  store: ImageStore;
  /** Per-guild settings and the state of background work. */
  guildState: GuildState;
  ingest: IngestQueue;
  live: LiveIndexer;
  reindex: ReindexJobs;
  /** The one way images leave the index. */
  forgetting: IndexForgetting;
  /** Queries → what a member may see. */
  hitSearch: HitSearch;
  resultSessions: ResultSessions;
  resultPages: ResultPages;
  /** What each member may see of the index: every reply that shows any of it asks this. */
  access: MemberAccess;
  /** Downloads from Discord's CDN (attachments). */
  cdnFetch: FetchImageOptions;
  /** Downloads from any public address (a URL someone pasted). */
  publicFetch: FetchImageOptions;
  /** Set when the operator asked for /metrics. */
  metrics: BotMetrics | undefined;
}
