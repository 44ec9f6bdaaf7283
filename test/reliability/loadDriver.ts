/**
 * Load on the real bot against the loopback Discord, for test/reliability/load.test.ts: a guild
 * whose index holds many images, many members (some of whom cannot read one channel), and a
 * schedule of mixed slash commands fired concurrently, each measured from the moment it was sent.
 * bench/load.ts runs the longer version on the same world and commands.
 */
import { startBotUnderTest, type BotUnderTest } from '../bot/botHarness.js';
import { indexChannel } from '../bot/world.js';
import type { InteractionReply } from '../fake-discord/index.js';
import { mulberry32 } from '../fixtures/seededRandom.js';
import { fireLoadCommands, isAnswerVersion, type CommandKind, type SentCommand } from './loadCommands.js';
import { createLoadGuild, LOAD_RECORDS_SEED, postImagePool, syntheticRecords, type LoadWorld } from './loadWorld.js';

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
      world = createLoadGuild(discord, options);
    },
  });
  try {
    // Posted before the channels are indexed, so nothing encodes them.
    const pool = await postImagePool(harness.discord, world, options.messagesPerChannel);
    for (const channelId of world.channels)
      await indexChannel(harness, { channelId: world.channels[0]!, adminId: world.adminId }, channelId);
    const { store, library } = harness.engine;
    const random = mulberry32(LOAD_RECORDS_SEED);
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

// ---------------------------------------------------------------------------------------------
// Commands

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

/**
 * Sends `count` commands, command i at `i * spacingMs` from now, from members in turn, and
 * resolves with each one's outcome once every one is answered or has given up after `answerTimeoutMs`.
 */
export async function fireCommands(
  setup: LoadSetup,
  options: { count: number; spacingMs: number; answerTimeoutMs: number; firstIndex?: number },
): Promise<CommandResult[]> {
  const sent = await fireLoadCommands(setup.harness.discord, setup.world, options);
  return sent.map(measured);
}

function measured({ kind, userId, sentAt, reply, error }: SentCommand): CommandResult {
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

function answerTime(reply: InteractionReply, sentAt: number): number | null {
  const times = [
    ...(reply.original?.versions.filter(isAnswerVersion).map((version) => version.at) ?? []),
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
