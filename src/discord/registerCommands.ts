import { Routes, type REST } from 'discord.js';
import { commands } from './commands/index.js';

/** Registers every command globally, or in one guild (instant; for development and tests). */
export async function registerCommands(rest: REST, applicationId: string, guildId?: string): Promise<number> {
  const body = [...commands.values()].map((command) => command.data);
  const route = guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  await rest.put(route, { body });
  return body.length;
}
