/**
 * The slash commands of a load run (mostly /find, some /similar and /stats), sent to the loopback
 * Discord from the load world's members in turn, each timed from the moment it was sent. Shared
 * by test/reliability/load.test.ts and bench/load.ts.
 */
import { MessageFlags } from 'discord.js';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { TINY_COLOURS } from '../fixtures/models/tinyColours.js';
import type { LoadWorld } from './loadWorld.js';

export type CommandKind = 'find' | 'similar' | 'stats';

export interface SentCommand {
  kind: CommandKind;
  userId: string;
  sentAt: number;
  /** What Discord saw of the answer; null when the command failed before any was recorded. */
  reply: InteractionReply | null;
  error: string | null;
}

/** Command n of a mix that is mostly /find, with some /similar and some /stats. */
export function commandKindOf(n: number): CommandKind {
  const slot = n % 20;
  return slot < 15 ? 'find' : slot < 18 ? 'similar' : 'stats';
}

const QUERY_WORDS = TINY_COLOURS.map((colour) => colour.name);

/** The images /similar is asked about, one per colour. */
export function loadQueryImages(): Promise<Buffer[]> {
  return Promise.all(TINY_COLOURS.map((colour) => solidColourImage(colour.rgb, { width: 32, height: 32 })));
}

/**
 * Sends `count` commands, command i at `i * spacingMs` from now (so the schedule is fixed whatever
 * the bot does), and resolves with each one once every one is answered or has given up after
 * `answerTimeoutMs`.
 */
export async function fireLoadCommands(
  discord: FakeDiscord,
  world: LoadWorld,
  options: { count: number; spacingMs: number; answerTimeoutMs: number; firstIndex?: number },
): Promise<SentCommand[]> {
  const queryImages = await loadQueryImages();
  const started = Date.now();
  const runs: Array<Promise<SentCommand>> = [];
  for (let i = 0; i < options.count; i++) {
    const wait = started + i * options.spacingMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    runs.push(sendLoadCommand(discord, world, (options.firstIndex ?? 0) + i, queryImages, options.answerTimeoutMs));
  }
  return Promise.all(runs);
}

/** Command n, from member n in turn, in a public channel. */
export async function sendLoadCommand(
  discord: FakeDiscord,
  world: LoadWorld,
  n: number,
  queryImages: readonly Buffer[],
  timeoutMs: number,
): Promise<SentCommand> {
  const kind = commandKindOf(n);
  const userId = world.members[n % world.members.length]!;
  const channelId = world.channels[n % (world.channels.length - 1)]!; // commands are run in the public channels
  const word = QUERY_WORDS[n % QUERY_WORDS.length]!;
  const sentAt = Date.now();
  const where = { channelId, userId, wait: { timeoutMs, settleMs: 50, until: answered } };
  let reply: InteractionReply | null;
  let error: string | null = null;
  try {
    if (kind === 'find') {
      reply = await discord.invokeSlashCommand({
        ...where,
        name: 'find',
        options: n % 3 === 0 ? { query: word, count: 25 } : { query: `a ${word} picture` },
      });
    } else if (kind === 'similar') {
      const image = queryImages[n % queryImages.length]!;
      reply = await discord.invokeSlashCommand({
        ...where,
        name: 'similar',
        attachments: { image: { filename: `${word}.png`, data: image, contentType: 'image/png' } },
      });
    } else {
      reply = await discord.invokeSlashCommand({ ...where, name: 'stats' });
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    reply = (caught as { reply?: InteractionReply }).reply ?? null;
  }
  return { kind, userId, sentAt, reply, error };
}

/** Whether a version of the original reply is an answer rather than the loading message. */
export function isAnswerVersion(version: { flags: number }): boolean {
  return (version.flags & MessageFlags.Loading) === 0;
}

/** Whether a person sees an answer: the loading message replaced, a follow-up, or a direct reply. */
function answered(reply: InteractionReply): boolean {
  if (reply.followups.length > 0) return true;
  return reply.original !== null && reply.original.versions.some(isAnswerVersion);
}
