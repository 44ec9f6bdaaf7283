import type { BotMessageRecord, FakeDiscord } from '../../test/fake-discord/index.js';
import { inlineImages } from './inlineImages.js';
import { messageHtml } from './messageHtml.js';

/**
 * A reply the fake Discord recorded (its latest version) as an HTML page, with the names a person would see from the
 * fake's state: members by nickname or display name, channels and roles by name, the command it answers.
 */
export async function replyPage(discord: FakeDiscord, reply: BotMessageRecord): Promise<string> {
  const { state } = discord;
  const latest = reply.versions.at(-1) ?? reply;
  const userName = (id: string) => {
    const user = state.users.get(id);
    const nick = reply.guildId ? state.member(reply.guildId, id)?.nick : null;
    return nick ?? user?.globalName ?? user?.username;
  };
  const interaction = state.messages.get(reply.id)?.interaction;
  return messageHtml(
    { ...latest, ephemeral: reply.ephemeral },
    {
      botName: discord.botUser.username,
      sentAt: new Date(latest.at),
      ...(interaction ? { invokedBy: { userName: userName(interaction.userId) ?? 'someone', command: interaction.name } } : {}),
      user: userName,
      channel: (id) => state.channels.get(id)?.name,
      role: (id) => state.roles.get(id)?.name,
      now: new Date(),
      timeZone: 'UTC',
      image: await inlineImages(latest, discord.cdnUrl),
    },
  );
}
