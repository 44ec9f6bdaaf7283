import { parseArgs } from 'node:util';
import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig, requireDiscordToken } from '../config.js';
import { registerCommands } from './registerCommands.js';

/**
 * `npm run commands:deploy [-- --guild ID]`: registers the commands with Discord,
 * globally (every server; can take a while to appear) or in one server (instantly,
 * for development).
 */
async function deploy(): Promise<void> {
  const { values } = parseArgs({ options: { guild: { type: 'string' } } });
  const config = loadConfig();
  const rest = new REST({ api: config.discord.apiUrl }).setToken(requireDiscordToken(config));
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  const count = await registerCommands(rest, application.id, values.guild);
  process.stdout.write(`Registered ${count} commands ${values.guild === undefined ? 'globally' : `in server ${values.guild}`}.\n`);
}

deploy().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`}\n`);
  process.exit(1);
});
