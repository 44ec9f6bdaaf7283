import { Client, Events, GatewayIntentBits, Options, Partials, type Interaction } from 'discord.js';
import type { Config } from '../config.js';
import type { Engine } from '../engine.js';
import { fetchImage } from '../fetch/imageFetcher.js';
import { IngestQueue } from '../ingest/ingestQueue.js';
import { logger } from '../logger.js';
import type { BotMetrics } from '../ops/metrics.js';
import { MemberAccess } from './access/memberAccess.js';
import type { BotContext } from './botContext.js';
import { commands, components } from './commands/index.js';
import { forgetServersLeftWhileAway } from './indexing/departedGuilds.js';
import { DeletionRecheck } from './indexing/deletionRecheck.js';
import { GuildState } from './guildState/guildState.js';
import { thresholdsOf } from './guildState/repostPolicy.js';
import { followWordsInImages, loadSettingsOfEveryServer } from './guildState/wordsInImages.js';
import { IndexForgetting } from './indexing/indexForgetting.js';
import { createInteractionHandler } from './interactions/interactionHandler.js';
import { LiveIndexer } from './indexing/liveIndexer.js';
import { ReindexJobs } from './indexing/reindexJobs.js';
import { DEFAULT_NOTES } from './results/hitNotes.js';
import { HitSearch } from './results/hitSearch.js';
import { ResultMedia } from './results/resultMedia.js';
import { ResultPages } from './results/resultPages.js';
import { ResultSessions } from './results/resultSessions.js';
import { RepostWatch } from './reposts/repostWatch.js';
import { runStartUp } from './startUp.js';
import { welcomeNewServers } from './welcome.js';

export interface Bot {
  client: Client;
  context: BotContext;
  /** Settles when the work begun at start-up is done: servers left while away forgotten, catch-up, walks resumed. */
  startedUp: Promise<void>;
  /** Stops taking work, lets accepted images finish, saves cursors. Does not close the engine. */
  stop(): Promise<void>;
}

const CURSOR_SAVE_EVERY_MS = 5000;
/** How long stopping waits for commands under way: within the 10 s a shutdown has (main.ts). */
const COMMANDS_FINISH_LIMIT_MS = 5000;

/** Hosts that stand for loopback in the CDN allow-list are trusted (the test suite's CDN). */
function trustedLoopbackHosts(hosts: readonly string[]): string[] {
  return hosts.filter((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host));
}

/** Logs in and runs the bot on an open engine until `stop()`. */
export async function startBot(config: Config, engine: Engine, token: string, metrics?: BotMetrics): Promise<Bot> {
  const { library, store } = engine;
  const cdnFetch = {
    maxBytes: config.imageLimits.maxBytes,
    timeoutMs: config.downloadTimeoutMs,
    allowedHosts: config.discord.cdnHosts,
    trustedHosts: trustedLoopbackHosts(config.discord.cdnHosts),
  };
  const publicFetch = {
    maxBytes: config.imageLimits.maxBytes,
    timeoutMs: config.downloadTimeoutMs,
    trustedHosts: trustedLoopbackHosts(config.discord.cdnHosts),
  };
  const guildState = new GuildState(store);
  const ingest = new IngestQueue(library, async (url) => (await fetchImage(url, cdnFetch)).bytes, config.ingest, {
    onFailure: async (collection, failure) => {
      metrics?.error('ingest');
      await guildState.recordFailure(collection, failure);
    },
    onOutcome: (outcome) => metrics?.imageIndexed(outcome),
  });
  const forgetting = new IndexForgetting(library, guildState.settings, ingest);
  const access = new MemberAccess(guildState.settings, { membershipCacheMs: config.threadMembershipCacheMs });
  const reposts = new RepostWatch({
    library,
    settings: guildState.settings,
    history: guildState.reposts,
    access,
    defaults: config.reposts,
    textRead: (guildId, imageId) => ingest.textRead(guildId, imageId),
  });
  const reindex = new ReindexJobs({
    walks: guildState.reindexWalks,
    settings: guildState.settings,
    forgetting,
    ingest,
    cdnHosts: config.discord.cdnHosts,
    imagesAhead: 2 * config.ingest.concurrency,
  });
  const live = new LiveIndexer({
    library,
    guildState,
    ingest,
    forgetting,
    walks: reindex,
    cdnHosts: config.discord.cdnHosts,
    onPostedImages: (message, imageIds) => reposts.imagesPosted(message, imageIds),
  });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    // Deletions and edits of messages the bot never cached must still reach the index.
    partials: [Partials.Message, Partials.Channel],
    // The bot reads messages by id when it needs them; a large message cache only costs memory.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 20 }),
    rest: { api: config.discord.apiUrl, handlerSweepInterval: 10 * 60 * 1000 },
  });
  const hitSearch = new HitSearch(library, access, async (guildId) =>
    thresholdsOf(await guildState.settings.repostPolicy(guildId), config.reposts),
  );
  const resultSessions = new ResultSessions();
  const resultPages = new ResultPages(hitSearch, new ResultMedia(client, forgetting), DEFAULT_NOTES);
  const context: BotContext = {
    config,
    library,
    store,
    guildState,
    ingest,
    live,
    reindex,
    forgetting,
    hitSearch,
    resultSessions,
    resultPages,
    access,
    cdnFetch,
    publicFetch,
    metrics,
  };
  const recheck = new DeletionRecheck(client, {
    library,
    rechecks: guildState.rechecks,
    forgetting,
    metrics,
    ...config.recheck,
    cdnHosts: config.discord.cdnHosts,
  });

  const interactions = createInteractionHandler(commands, components, context);
  // The handler answers and logs every failure itself; this catch is the last guard.
  const onInteraction = (interaction: Interaction): void => {
    interactions.handle(interaction).catch((error: unknown) => logger.error({ err: error }, 'interaction handling failed'));
  };
  client.on(Events.InteractionCreate, onInteraction);
  client.on(Events.Error, (error) => {
    metrics?.error('gateway');
    logger.error({ err: error }, 'discord client error');
  });
  client.on(Events.ShardError, (error, shardId) => {
    metrics?.error('gateway');
    logger.warn({ err: error, shardId }, 'gateway connection error; discord.js reconnects');
  });
  live.attach(client);
  welcomeNewServers(client, guildState.settings);
  followWordsInImages(library.ocr, guildState.settings, config.ocr);

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(token);
  await ready;
  await loadSettingsOfEveryServer(client, guildState.settings);
  const saver = setInterval(
    () => void live.flush().catch((error: unknown) => logger.warn({ err: error }, 'saving cursors failed')),
    CURSOR_SAVE_EVERY_MS,
  );
  saver.unref();

  const images = library.stats().reduce((sum, collection) => sum + collection.images, 0);
  logger.info(
    { guilds: client.guilds.cache.size, images, model: library.model.label, modelId: library.model.id, store: store.backend },
    `ready as ${client.user?.tag ?? 'bot'}`,
  );
  // Catch-up and resumed walks run in the background: commands work meanwhile.
  const stopping = new AbortController();
  const startUp = runStartUp(
    {
      forgetDepartedServers: () => forgetServersLeftWhileAway(client, library, forgetting),
      catchUp: () => live.catchUp(client),
      resumeWalks: () => reindex.resumeAll(client),
      startRecheck: () => recheck.start(),
    },
    { signal: stopping.signal },
  );

  return {
    client,
    context,
    startedUp: startUp,
    async stop() {
      stopping.abort();
      clearInterval(saver);
      // No new events; commands are still heard until the end, to be told the bot is restarting.
      // Then let what was accepted finish (commands first, within a limit), so cursors can pass it.
      interactions.stopAccepting();
      // Images waiting for a store that is down would hold every step below: given back, they are read on the next start.
      ingest.stopWaitingForStore();
      client.removeAllListeners();
      client.on(Events.InteractionCreate, onInteraction);
      client.ws.removeAllListeners();
      if (!(await interactions.finished(COMMANDS_FINISH_LIMIT_MS))) {
        logger.warn(
          { limitMs: COMMANDS_FINISH_LIMIT_MS },
          'commands still running after the limit; stopping without waiting for them (they may fail)',
        );
      }
      // A store that is down must not keep the bot from stopping: the cursors saved last are where the next start reads from.
      const saveCursors = (): Promise<void> =>
        live
          .flush()
          .catch((error: unknown) =>
            logger.warn(
              { reason: (error as Error).message },
              'could not save the cursors; the next start reads again from the last saved ones',
            ),
          );
      await live.stopCatchUp();
      await startUp;
      await recheck.stop();
      await saveCursors();
      await reindex.pauseAll();
      await ingest.close();
      await saveCursors();
      resultSessions.close();
      client.removeAllListeners();
      await client.destroy();
    },
  };
}
