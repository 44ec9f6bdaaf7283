import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import type { BotUnderTest } from './botHarness.js';
import { buildStaffWorld, indexChannel, until, type StaffWorld } from './world.js';

/**
 * The staff world, plus the channels repost checks need: `memes` (public, watched: react, reply
 * and log), `quiet` (public, indexed, not watched), `archive` (public, exempt), `noReactions`
 * (watched, where @everyone, and so the bot, may not add reactions), `lobby` (not indexed), and
 * `modLog`, the log channel, which only Staff (and the bot) can read. `mod` has the Mods role: Manage Server, and
 * exempt from repost checks, but not Staff.
 */
export interface RepostWorld extends StaffWorld {
  memesId: string;
  quietId: string;
  archiveId: string;
  noReactionsId: string;
  lobbyId: string;
  modLogId: string;
  modsRoleId: string;
  modId: string;
}

export function buildRepostWorld(discord: FakeDiscord): RepostWorld {
  const staff = buildStaffWorld(discord);
  const { guildId, staffRoleId } = staff;
  const botRoleId = discord.state.guildRoles(guildId).find((role) => role.botId === discord.botUser.id)!.id;
  const modsRoleId = discord.createRole(guildId, { name: 'Mods', permissions: PermissionFlagsBits.ManageGuild }).id;
  const modId = discord.createUser({ username: 'mod' }).id;
  discord.addMember(guildId, modId, { roles: [modsRoleId] });
  const channel = (name: string, deny?: bigint) =>
    discord.createChannel(guildId, { name, ...(deny === undefined ? {} : { permissionOverwrites: [{ id: guildId, type: 'role', deny }] }) })
      .id;
  const modLogId = discord.createChannel(guildId, {
    name: 'mod-log',
    permissionOverwrites: [
      { id: guildId, type: 'role', deny: PermissionFlagsBits.ViewChannel },
      { id: staffRoleId, type: 'role', allow: PermissionFlagsBits.ViewChannel },
      { id: botRoleId, type: 'role', allow: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages },
    ],
  }).id;
  return {
    ...staff,
    memesId: channel('memes'),
    quietId: channel('quiet'),
    archiveId: channel('archive'),
    noReactionsId: channel('no-reactions', PermissionFlagsBits.AddReactions),
    lobbyId: channel('lobby'),
    modLogId,
    modsRoleId,
    modId,
  };
}

/** Indexes every channel of the world and sets up the repost checks described above, as the owner. */
export async function setUpReposts(harness: BotUnderTest, world: RepostWorld): Promise<void> {
  for (const channelId of [world.channelId, world.staffChannelId, world.memesId, world.quietId, world.archiveId, world.noReactionsId]) {
    await indexChannel(harness, world, channelId);
  }
  await reposts(harness, world, 'channel', { channel: world.memesId, react: true, reply: true, log: true });
  await reposts(harness, world, 'channel', { channel: world.noReactionsId, react: true, reply: true });
  await reposts(harness, world, 'log-channel', { channel: world.modLogId });
  await reposts(harness, world, 'exempt', { channel: world.archiveId });
  await reposts(harness, world, 'exempt', { role: world.modsRoleId });
}

/** Runs `/reposts <subcommand>` as `userId` (default: the owner) in the world's first channel. */
export function reposts(
  harness: BotUnderTest,
  world: RepostWorld,
  subcommand: string,
  options: Record<string, string | number | boolean> = {},
  userId = world.adminId,
): Promise<InteractionReply> {
  return harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'reposts', subcommand, options });
}

/** The shared weather photos, by position in name order. */
export async function weatherPhoto(index: number): Promise<Buffer> {
  const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  return readFile(path.join(WEATHER_DIR, names[index]!));
}

/**
 * Posts an image as `userId` and resolves once the bot has indexed it and finished handling
 * the message (the repost check included). Returns the message id.
 */
export async function postImage(harness: BotUnderTest, channelId: string, userId: string, data: Buffer, filename: string): Promise<string> {
  const message = await harness.discord.postMessage(channelId, userId, { attachments: [{ filename, data, contentType: 'image/jpeg' }] });
  const guildId = harness.discord.state.channels.get(channelId)!.guildId!;
  const id = `${message.id}:${message.attachments[0]!.id}`;
  await until(() => harness.engine.library.has(guildId, id), `${filename} indexed`);
  await harness.bot.context.live.flush();
  return message.id;
}

/** What the bot did about a message: its reactions, its replies to it, and log posts naming it. */
export function noticesOf(harness: BotUnderTest, world: RepostWorld, messageId: string) {
  const { discord } = harness;
  const reactions = discord.getMessage(messageId).reactions;
  const replies = [...discord.state.messages.values()].filter(
    (message) => message.authorId === discord.botUser.id && message.referencedMessageId === messageId,
  );
  const logPosts = discord.botMessagesIn(world.modLogId).filter((message) => message.content.includes(`/${messageId}`));
  return { reactions, replies: replies.map((reply) => reply.content), logPosts: logPosts.map((post) => post.content) };
}

/** The link to a message as the bot writes it. */
export function jumpTo(world: RepostWorld, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${world.guildId}/${channelId}/${messageId}`;
}
