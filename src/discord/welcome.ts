import { Events, PermissionFlagsBits, type Client, type Guild } from 'discord.js';
import { logger } from '../logger.js';
import type { GuildSettings } from './guildState/guildSettings.js';
import { messagesFor } from './messages/messages.js';

/**
 * When the bot joins a server it posts one short welcome in the system channel, in the
 * server's language, pointing to /help, and nothing else: only where it may post, and once
 * per server (remembered in the store, so a reconnect or restart never repeats it).
 */
export function welcomeNewServers(client: Client, settings: GuildSettings): void {
  client.on(Events.GuildCreate, (guild) => {
    welcome(guild, settings).catch((error: unknown) => logger.warn({ err: error, guildId: guild.id }, 'could not post the welcome'));
  });
}

async function welcome(guild: Guild, settings: GuildSettings): Promise<void> {
  const channel = guild.systemChannel;
  const me = guild.members.me;
  if (channel === null || me === null) return;
  const needed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;
  if (!channel.permissionsFor(me).has(needed)) return;
  if (!(await settings.markWelcomed(guild.id))) return;
  await channel.send({ content: messagesFor(guild.preferredLocale).text('welcome'), allowedMentions: { parse: [] } });
}
