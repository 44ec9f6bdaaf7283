import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PermissionFlagsBits } from 'discord.js';
import type { BotMessageRecord, FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { TINY_COLOURS } from '../fixtures/models/tinyColours.js';
import { solidColourImage, type Rgb } from '../fixtures/images.js';
import type { BotUnderTest } from './botHarness.js';
import { ImageStore, type StoreProblem } from '../../src/store/imageStore.js';

/** A guild with an admin (the owner), a member, and one indexed text channel. */
export interface SmallWorld {
  guildId: string;
  adminId: string;
  memberId: string;
  channelId: string;
}

export function buildSmallWorld(discord: FakeDiscord, name = 'photos'): SmallWorld {
  const admin = discord.createUser({ username: `${name}-admin` });
  const guild = discord.createGuild({ name: `${name} server`, ownerId: admin.id });
  discord.addMember(guild.id, admin.id);
  const member = discord.createUser({ username: `${name}-member` });
  discord.addMember(guild.id, member.id);
  const channel = discord.createChannel(guild.id, { name });
  return { guildId: guild.id, adminId: admin.id, memberId: member.id, channelId: channel.id };
}

/** A small world plus a Staff role, a member who has it (the staffer), and a channel only Staff (and the bot) can read. */
export interface StaffWorld extends SmallWorld {
  staffRoleId: string;
  stafferId: string;
  staffChannelId: string;
}

export function buildStaffWorld(discord: FakeDiscord): StaffWorld {
  const small = buildSmallWorld(discord);
  const botRoleId = discord.state.guildRoles(small.guildId).find((role) => role.botId === discord.botUser.id)!.id;
  const staffRoleId = discord.createRole(small.guildId, { name: 'Staff', permissions: 0n }).id;
  const stafferId = discord.createUser({ username: 'staffer' }).id;
  discord.addMember(small.guildId, stafferId, { roles: [staffRoleId] });
  const staffChannelId = discord.createChannel(small.guildId, {
    name: 'staff-only',
    permissionOverwrites: [
      { id: small.guildId, type: 'role', deny: PermissionFlagsBits.ViewChannel },
      { id: staffRoleId, type: 'role', allow: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages },
      { id: botRoleId, type: 'role', allow: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory },
    ],
  }).id;
  return { ...small, staffRoleId, stafferId, staffChannelId };
}

export async function indexChannel(
  harness: BotUnderTest,
  world: { channelId: string; adminId: string },
  channelId = world.channelId,
): Promise<void> {
  const reply = await harness.discord.invokeSlashCommand({
    channelId: world.channelId,
    userId: world.adminId,
    name: 'channels',
    subcommand: 'add',
    options: { channel: channelId },
  });
  if (!/Now indexing|already indexed/.test(reply.content)) throw new Error(`/channels add failed: ${reply.content}`);
}

let posted = 0;

/**
 * The colour a few steps off, different for every image posted in a test file: identical files
 * would be one result ("posted N times"), and a test of who sees what must see each image.
 */
function unique([r, g, b]: Rgb): Rgb {
  const n = posted++;
  const step = (value: number, by: number) => (value + by > 255 ? value - by : value + by);
  return [step(r, n % 8), step(g, Math.floor(n / 8) % 8), step(b, Math.floor(n / 64) % 8)];
}

/** Posts solid-colour images (each a distinct file) as a member; resolves once the bot has indexed all of them. */
export async function postColours(
  harness: BotUnderTest,
  channelId: string,
  userId: string,
  colours: Array<{ name: string; rgb: Rgb }>,
): Promise<string[]> {
  const message = await harness.discord.postMessage(channelId, userId, {
    attachments: await Promise.all(
      colours.map(async ({ name, rgb }) => ({
        filename: `${name}.png`,
        data: await solidColourImage(unique(rgb)),
        contentType: 'image/png',
      })),
    ),
  });
  const ids = message.attachments.map((attachment) => `${message.id}:${attachment.id}`);
  const guildId = harness.discord.state.channels.get(channelId)!.guildId!;
  await until(() => ids.every((id) => harness.engine.library.has(guildId, id)), `images of message ${message.id} indexed`);
  return ids;
}

/**
 * Waits for a condition, checking every 25 ms. The limit is generous on purpose: it costs nothing
 * when the condition comes true, and the suite runs on shared 2-core machines that are sometimes
 * very busy (a whole suite twice at once took 40 minutes here, and 30 s waits ran out).
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

type Component = {
  type?: number;
  components?: Component[];
  items?: Array<{ media: { url: string }; description?: string }>;
  content?: string;
  label?: string;
  custom_id?: string;
  disabled?: boolean;
  placeholder?: string;
  options?: Array<{ label: string; value: string }>;
  accessory?: Component;
};

/** Every component of a reply, nested ones included, in order. */
export function componentsOf(reply: Pick<InteractionReply, 'components'>): Component[] {
  const all: Component[] = [];
  const walk = (nodes: Component[]) => {
    for (const node of nodes) {
      all.push(node);
      walk([...(node.components ?? []), ...(node.accessory ? [node.accessory] : [])]);
    }
  };
  walk(reply.components as Component[]);
  return all;
}

/** Everything a person reads in a reply: its content and every text display. */
export function shownText(reply: Pick<InteractionReply, 'content' | 'components'>): string {
  return [
    reply.content,
    ...componentsOf(reply)
      .filter((c) => c.type === 10)
      .map((c) => c.content ?? ''),
  ]
    .filter((text) => text !== '')
    .join('\n');
}

/** The attachment file names of the images shown in a results gallery, in rank order. */
export function shownNames(reply: Pick<InteractionReply, 'components'>): string[] {
  return componentsOf(reply)
    .filter((c) => c.type === 12)
    .flatMap((gallery) => gallery.items ?? [])
    .map((item) => decodeURIComponent(new URL(item.media.url).pathname.split('/').pop()!));
}

/** The result lines of a results page (`**#n** …`), in rank order. */
export function resultLines(reply: Pick<InteractionReply, 'content' | 'components'>): string[] {
  return shownText(reply)
    .split('\n')
    .filter((line) => /^\*\*#\d+\*\*/.test(line));
}

/** The numbers of the results shown, in order. */
export function shownRanks(reply: Pick<InteractionReply, 'content' | 'components'>): number[] {
  return resultLines(reply).map((line) => Number(/^\*\*#(\d+)\*\*/.exec(line)![1]));
}

/** The channel ids the shown results come from (the `<#id>` of each result line), in rank order. */
export function shownChannels(reply: Pick<InteractionReply, 'content' | 'components'>): string[] {
  return resultLines(reply).map((line) => /<#(\d+)>/.exec(line)?.[1] ?? '');
}

/** The custom id of a button on a reply, by its label (e.g. `Next`); throws when there is none. */
export function buttonId(reply: Pick<InteractionReply, 'components'>, label: string): string {
  const button = componentsOf(reply).find((component) => component.type === 2 && component.label === label);
  if (button?.custom_id === undefined) throw new Error(`the reply has no "${label}" button`);
  return button.custom_id;
}

/** Whether a reply carries a button of that label that a person can press. */
export function hasEnabledButton(reply: Pick<InteractionReply, 'components'>, label: string): boolean {
  return componentsOf(reply).some((component) => component.type === 2 && component.label === label && component.disabled !== true);
}

/** A select menu of a reply whose placeholder starts with `placeholder` (e.g. `More like`): its custom id and option labels and values. */
export function selectMenu(
  reply: Pick<InteractionReply, 'components'>,
  placeholder: string,
): { customId: string; options: Array<{ label: string; value: string }> } {
  const menu = componentsOf(reply).find((component) => component.type === 3 && component.placeholder?.startsWith(placeholder) === true);
  if (menu?.custom_id === undefined) throw new Error(`the reply has no "${placeholder}" menu`);
  return { customId: menu.custom_id, options: menu.options ?? [] };
}

/** Chooses `Show #n` or `More like #n` on a results message, as its searcher (or as `userId`). */
export function chooseResult(
  harness: BotUnderTest,
  reply: InteractionReply,
  what: { menu: 'More like' | 'Show'; number: number; userId: string; channelId: string },
): Promise<InteractionReply> {
  const { customId, options } = selectMenu(reply, what.menu);
  const option = options.find((candidate) => candidate.label === `${what.menu} #${what.number}`);
  if (option === undefined) throw new Error(`the "${what.menu}" menu has no #${what.number}`);
  return harness.discord.selectMenu({
    channelId: what.channelId,
    userId: what.userId,
    messageId: reply.original!.id,
    customId,
    values: [option.value],
  });
}

/** Runs `/find query count:25` as a member in a channel and returns the reply. */
export function findAll(harness: BotUnderTest, where: { channelId: string; userId: string }, query: string): Promise<InteractionReply> {
  return harness.discord.invokeSlashCommand({ ...where, name: 'find', options: { query, count: 25 } });
}

/**
 * Posts `count` messages as `userId`, a fixed mix: most text only, some with one tiny
 * image, some with two. Returns the record ids (`message:attachment`) of every image,
 * which is what a full index of the channel must hold.
 */
export async function postHistory(discord: FakeDiscord, channelId: string, userId: string, count: number): Promise<string[]> {
  const palette = await Promise.all(TINY_COLOURS.map(async (colour) => solidColourImage(colour.rgb, { width: 8, height: 8 })));
  const file = (n: number) => ({
    filename: `${TINY_COLOURS[n % palette.length]!.name}-${n}.png`,
    data: palette[n % palette.length]!,
    contentType: 'image/png',
  });
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const images = n % 8 === 1 ? 1 : n % 16 === 3 ? 2 : 0;
    const message = await discord.postMessage(channelId, userId, {
      ...(images === 0 ? { content: `message ${n}` } : {}),
      ...(images > 0 ? { attachments: Array.from({ length: images }, (_, i) => file(n + i)) } : {}),
    });
    ids.push(...message.attachments.map((attachment) => `${message.id}:${attachment.id}`));
  }
  return ids;
}

/** Record ids of the images indexed from one channel, sorted. */
export function indexedIn(harness: BotUnderTest, guildId: string, channelId: string): string[] {
  return [...harness.engine.library.images(guildId)]
    .filter((image) => image.channelId === channelId)
    .map((image) => image.id)
    .sort();
}

/** The bot's reads of a channel's history (GET .../messages with paging), in order, from request `sinceSeq` on. */
export function historyReads(discord: FakeDiscord, channelId: string, sinceSeq = 0): Array<{ seq: number; query: Record<string, string> }> {
  const path = `/api/v10/channels/${channelId}/messages`;
  return discord.requests
    .filter((request) => request.seq > sinceSeq && request.method === 'GET' && request.path === path)
    .map((request) => ({ seq: request.seq, query: request.query }));
}

/** Attachment ids of the bot's CDN downloads after request `sinceSeq`, in order, repeats kept. */
export function cdnDownloadsSince(discord: FakeDiscord, sinceSeq: number): string[] {
  return discord.requests
    .filter((request) => request.seq > sinceSeq && request.kind === 'cdn')
    .map((request) => request.path.split('/')[3]!);
}

/** The sequence number of the latest request the fake has seen (to look only at what comes after). */
export function lastRequestSeq(discord: FakeDiscord): number {
  return discord.requests.at(-1)?.seq ?? 0;
}

/** The bot's newest progress message about `#channelName` posted in `channelId`. */
export function progressMessageIn(discord: FakeDiscord, channelId: string, channelName: string): BotMessageRecord | undefined {
  return discord
    .botMessagesIn(channelId)
    .filter((message) => message.origin === 'channel' && message.versions[0]!.content.includes(`#${channelName} `))
    .at(-1);
}

/** Every page of a results reply, from the one shown to the last, turned with Next by `userId`. */
export async function everyPage(harness: BotUnderTest, reply: InteractionReply, userId: string): Promise<InteractionReply[]> {
  const pages = [reply];
  let current = reply;
  while (hasEnabledButton(current, 'Next')) {
    current = await harness.discord.pressButton({ userId, messageId: current.original!.id, customId: buttonId(current, 'Next') });
    pages.push(current);
  }
  return pages;
}

/**
 * Ground truth from the fake Discord: the record id (`message:attachment`) of every image
 * attachment ever posted in a channel and not deleted, sorted. What a full index of it must hold.
 */
export function imagesPostedIn(discord: FakeDiscord, channelId: string): string[] {
  return discord
    .channelMessages(channelId)
    .flatMap((message) =>
      message.attachments
        .filter((attachment) => attachment.contentType?.startsWith('image/') === true)
        .map((attachment) => `${message.id}:${attachment.id}`),
    )
    .sort();
}

/**
 * What a store holds for a guild, read through a store of its own (so it works while the
 * bot is still running, or on a copy): every record id as loaded, duplicates kept, sorted,
 * and whatever could not be read.
 */
export async function storedRecordIds(storeUrl: string, guildId: string): Promise<{ ids: string[]; problems: StoreProblem[] }> {
  const problems: StoreProblem[] = [];
  const store = await ImageStore.open(storeUrl, { onProblem: (problem) => problems.push(problem), compactAfter: 0 });
  try {
    const ids: string[] = [];
    for await (const batch of store.loadCollection(guildId)) for (const record of batch) ids.push(record.id);
    return { ids: ids.sort(), problems };
  } finally {
    await store.close();
  }
}

/** The ids that occur more than once in a list. */
export function duplicatesIn(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

/**
 * Posts `count` messages as `userId`, each with one 8x8 image (a tiny-model colour),
 * optionally waiting `gapMs` between them (to spread them over a gateway fault).
 * Returns their images' record ids.
 */
export async function postImageMessages(
  discord: FakeDiscord,
  channelId: string,
  userId: string,
  count: number,
  options: { gapMs?: number; first?: number } = {},
): Promise<string[]> {
  const palette = await Promise.all(TINY_COLOURS.map(async (colour) => solidColourImage(colour.rgb, { width: 8, height: 8 })));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = (options.first ?? 0) + i;
    const message = await discord.postMessage(channelId, userId, {
      attachments: [
        { filename: `${TINY_COLOURS[n % palette.length]!.name}-${n}.png`, data: palette[n % palette.length]!, contentType: 'image/png' },
      ],
    });
    ids.push(...message.attachments.map((attachment) => `${message.id}:${attachment.id}`));
    if (options.gapMs !== undefined && options.gapMs > 0) await sleep(options.gapMs);
  }
  return ids;
}

/** The route of interaction callbacks (the bot's first answer to a command or button), for injecting faults. */
export const CALLBACK_ROUTE = /\/interactions\/\d+\/[^/]+\/callback$/;

/** The private message a person saw, whether it was a private reply or a private follow-up. */
export function privateText(reply: InteractionReply): string {
  const followup = reply.followups.at(-1);
  if (followup !== undefined) {
    assert.equal(followup.ephemeral, true, 'the answer is private');
    return followup.versions.at(-1)!.content ?? '';
  }
  assert.equal(reply.ephemeral, true, 'the answer is private');
  return reply.content;
}
