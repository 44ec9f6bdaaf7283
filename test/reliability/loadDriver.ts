/**
 * Load on the real bot against the loopback Discord, shared by test/reliability/load.test.ts
 * (bounded, asserted) and bench/load.ts (longer, printed): a guild whose index holds many
 * images, many members (some of whom cannot read one channel), and a schedule of mixed slash
 * commands fired concurrently, each measured from the moment it was sent.
 */
import { PermissionFlagsBits } from 'discord.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import type { InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from '../bot/botHarness.js';
import { indexChannel } from '../bot/world.js';
import { solidColourImage, type Rgb } from '../fixtures/images.js';
import { TINY_COLOURS } from '../fixtures/models/tinyColours.js';
import { mulberry32 } from '../fixtures/seededRandom.js';

export interface LoadWorld {
  guildId: string;
  adminId: string;
  members: string[];
  /** Members who cannot see the staff channel. */
  newcomers: Set<string>;
  /** Every indexed channel, the staff channel last. */
  channels: string[];
  staffChannelId: string;
}

export interface LoadSetup {
  harness: BotUnderTest;
  world: LoadWorld;
  /** Records in the index once the bot has restarted on them. */
  indexed: number;
}

export interface LoadOptions {
  records: number;
  members: number;
  /** Public text channels; a staff channel newcomers cannot see is added. */
  channels: number;
  /** Real messages (one image each) per channel that the records point at. */
  messagesPerChannel: number;
  env?: Record<string, string>;
}

const SEED = 20_240_531;

/**
 * Starts the bot, builds the guild, posts the real messages the records point at, writes
 * `records` records (random unit vectors stamped with the loaded model's id, spread over the
 * indexed channels) straight into the store, and restarts the bot so it loads them as it would
 * after any restart.
 */
export async function startLoadedBot(options: LoadOptions): Promise<LoadSetup> {
  let world!: LoadWorld;
  const harness = await startBotUnderTest({
    env: { COMMANDS_PER_MINUTE: '1000', ...options.env },
    setup: (discord) => {
      const admin = discord.createUser({ username: 'load-admin' });
      const guild = discord.createGuild({ name: 'load server', ownerId: admin.id });
      discord.addMember(guild.id, admin.id);
      const newcomerRole = discord.createRole(guild.id, { name: 'newcomer', permissions: 0n });
      const members: string[] = [];
      const newcomers = new Set<string>();
      for (let i = 0; i < options.members; i++) {
        const user = discord.createUser({ username: `member-${i}` });
        const newcomer = i % 5 === 0;
        discord.addMember(guild.id, user.id, newcomer ? { roles: [newcomerRole.id] } : {});
        members.push(user.id);
        if (newcomer) newcomers.add(user.id);
      }
      const channels = Array.from({ length: options.channels }, (_, i) => discord.createChannel(guild.id, { name: `photos-${i}` }).id);
      const staff = discord.createChannel(guild.id, {
        name: 'staff',
        permissionOverwrites: [{ id: newcomerRole.id, type: 'role', deny: PermissionFlagsBits.ViewChannel }],
      });
      world = { guildId: guild.id, adminId: admin.id, members, newcomers, channels: [...channels, staff.id], staffChannelId: staff.id };
    },
  });
  try {
    const pool = await postPool(harness, world, options.messagesPerChannel);
    for (const channelId of world.channels)
      await indexChannel(harness, { channelId: world.channels[0]!, adminId: world.adminId }, channelId);
    const { store, library } = harness.engine;
    const random = mulberry32(SEED);
    const batch = 16_384;
    for (let from = 0; from < options.records; from += batch) {
      await store.putBulk(
        syntheticRecords(world, pool, library.modelId, library.model.dimensions, from, Math.min(batch, options.records - from), random),
      );
    }
    await harness.restart();
    const indexed = harness.engine.library.stats().find((stats) => stats.collection === world.guildId)?.images ?? 0;
    return { harness, world, indexed };
  } catch (error) {
    await harness.stop();
    throw error;
  }
}

interface PooledImage {
  channelId: string;
  messageId: string;
  attachmentId: string;
  url: string;
  authorId: string;
  createdAt: number;
}

/** Real messages with one small image each, posted before the channels are indexed (so nothing encodes them). */
async function postPool(harness: BotUnderTest, world: LoadWorld, perChannel: number): Promise<PooledImage[][]> {
  const images = await Promise.all(TINY_COLOURS.map((colour) => solidColourImage(colour.rgb, { width: 8, height: 8 })));
  const pool: PooledImage[][] = [];
  for (const channelId of world.channels) {
    const posted: PooledImage[] = [];
    for (let i = 0; i < perChannel; i++) {
      const authorId = channelId === world.staffChannelId ? world.adminId : world.members[(i * 7) % world.members.length]!;
      const colour = TINY_COLOURS[i % TINY_COLOURS.length]!;
      const message = await harness.discord.postMessage(channelId, authorId, {
        attachments: [{ filename: `${colour.name}-${i}.png`, data: images[i % images.length]!, contentType: 'image/png' }],
      });
      const attachment = message.attachments[0]!;
      posted.push({
        channelId,
        messageId: message.id,
        attachmentId: attachment.id,
        url: attachment.url,
        authorId,
        createdAt: message.createdAt,
      });
    }
    pool.push(posted);
  }
  return pool;
}

/**
 * Records k = from … from+count-1: channel k mod C, one of that channel's real messages, an id
 * unique to the record (many records share a message, so the id is `message:attachment:k`).
 */
function syntheticRecords(
  world: LoadWorld,
  pool: PooledImage[][],
  modelId: string,
  dimensions: number,
  from: number,
  count: number,
  random: () => number,
): ImageRecord[] {
  const records: ImageRecord[] = [];
  for (let k = from; k < from + count; k++) {
    const channelPool = pool[k % pool.length]!;
    const image = channelPool[Math.floor(k / pool.length) % channelPool.length]!;
    records.push({
      id: `${image.messageId}:${image.attachmentId}:${k}`,
      collection: world.guildId,
      channelId: image.channelId,
      messageId: image.messageId,
      attachmentId: image.attachmentId,
      authorId: image.authorId,
      createdAt: image.createdAt - k,
      source: image.url,
      contentHash: (k >>> 0).toString(16).padStart(8, '0').repeat(8),
      perceptualHash: undefined,
      modelId,
      embedding: randomUnitVector(dimensions, random),
    });
  }
  return records;
}

function randomUnitVector(dimensions: number, random: () => number): Float32Array {
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // Box–Muller: Gaussian components make the direction uniform on the sphere.
    const value = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i]! *= scale;
  return vector;
}

// ---------------------------------------------------------------------------------------------
// Commands

export type CommandKind = 'find' | 'similar' | 'stats';

export interface CommandResult {
  kind: CommandKind;
  userId: string;
  /** Time from sending the interaction to the bot's first callback (Discord allows 3 s). */
  deferMs: number | null;
  /** Time from sending to the first answer a person sees (the loading message replaced, or a follow-up). */
  answerMs: number | null;
  expired: boolean;
  reply: InteractionReply | null;
  error: string | null;
}

/** Command n of a mix that is mostly /find, with some /similar and some /stats. */
export function commandKindOf(n: number): CommandKind {
  const slot = n % 20;
  return slot < 15 ? 'find' : slot < 18 ? 'similar' : 'stats';
}

const QUERY_WORDS = TINY_COLOURS.map((colour) => colour.name);
const LOADING = 128;

/**
 * Sends `count` commands, command i at `i * spacingMs` from now (so the schedule is fixed
 * whatever the bot does), from members in turn, and resolves with each one's outcome once
 * every one is answered or has given up after `answerTimeoutMs`.
 */
export async function fireCommands(
  setup: LoadSetup,
  options: { count: number; spacingMs: number; answerTimeoutMs: number; firstIndex?: number; onResult?: (result: CommandResult) => void },
): Promise<CommandResult[]> {
  const { harness, world } = setup;
  const queryImages = await Promise.all(TINY_COLOURS.map((colour) => solidColourImage(colour.rgb as Rgb, { width: 32, height: 32 })));
  const started = Date.now();
  const runs: Array<Promise<CommandResult>> = [];
  for (let i = 0; i < options.count; i++) {
    const n = (options.firstIndex ?? 0) + i;
    const due = started + i * options.spacingMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const run = sendOne(harness, world, n, queryImages, options.answerTimeoutMs);
    if (options.onResult !== undefined) void run.then(options.onResult);
    runs.push(run);
  }
  return Promise.all(runs);
}

async function sendOne(
  harness: BotUnderTest,
  world: LoadWorld,
  n: number,
  queryImages: Buffer[],
  timeoutMs: number,
): Promise<CommandResult> {
  const kind = commandKindOf(n);
  const userId = world.members[n % world.members.length]!;
  const channelId = world.channels[n % (world.channels.length - 1)]!; // commands are run in the public channels
  const word = QUERY_WORDS[n % QUERY_WORDS.length]!;
  const sentAt = Date.now();
  const where = { channelId, userId, wait: { timeoutMs, settleMs: 50, until: answered } };
  let reply: InteractionReply | null = null;
  let error: string | null = null;
  try {
    if (kind === 'find') {
      reply = await harness.discord.invokeSlashCommand({
        ...where,
        name: 'find',
        options: n % 3 === 0 ? { query: word, count: 25 } : { query: `a ${word} picture` },
      });
    } else if (kind === 'similar') {
      const image = queryImages[n % queryImages.length]!;
      reply = await harness.discord.invokeSlashCommand({
        ...where,
        name: 'similar',
        attachments: { image: { filename: `${word}.png`, data: image, contentType: 'image/png' } },
      });
    } else {
      reply = await harness.discord.invokeSlashCommand({ ...where, name: 'stats' });
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    reply = (caught as { reply?: InteractionReply }).reply ?? null;
  }
  return {
    kind,
    userId,
    deferMs: reply?.respondedAfterMs ?? null,
    answerMs: reply === null ? null : answerTime(reply, sentAt),
    expired: reply?.expired ?? false,
    reply,
    error,
  };
}

/** Whether a person sees an answer: the loading message replaced, a follow-up, or a direct reply. */
function answered(reply: InteractionReply): boolean {
  if (reply.followups.length > 0) return true;
  return reply.original !== null && reply.original.versions.some((version) => (version.flags & LOADING) === 0);
}

function answerTime(reply: InteractionReply, sentAt: number): number | null {
  const times = [
    ...(reply.original?.versions.filter((version) => (version.flags & LOADING) === 0).map((version) => version.at) ?? []),
    ...reply.followups.map((followup) => followup.versions[0]!.at),
  ];
  return times.length === 0 ? null : Math.min(...times) - sentAt;
}

// ---------------------------------------------------------------------------------------------
// Figures

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LoadSummary {
  commands: number;
  deferredWithin3s: number;
  expired: number;
  unanswered: number;
  deferP50: number;
  deferP99: number;
  answerP50: number;
  answerP99: number;
}

export function summarise(results: readonly CommandResult[]): LoadSummary {
  const defers = results.flatMap((result) => (result.deferMs === null ? [] : [result.deferMs]));
  const answers = results.flatMap((result) => (result.answerMs === null ? [] : [result.answerMs]));
  return {
    commands: results.length,
    deferredWithin3s: results.filter((result) => result.deferMs !== null && result.deferMs < 3000 && !result.expired).length,
    expired: results.filter((result) => result.expired).length,
    unanswered: results.filter((result) => result.answerMs === null).length,
    deferP50: percentile(defers, 50),
    deferP99: percentile(defers, 99),
    answerP50: percentile(answers, 50),
    answerP99: percentile(answers, 99),
  };
}
