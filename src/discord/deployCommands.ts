import { DiscordAPIError, REST, Routes } from 'discord.js';
import { commandOptions } from '../cli/commandOptions.js';
import { consoleOutput, type CommandOutput } from '../cli/commandOutput.js';
import { startedDirectly } from '../cli/startedDirectly.js';
import { ConfigError, loadConfig, requireDiscordToken, type Environment } from '../config.js';
import { DiscordTokenRefusedError, DiscordUnavailableError, fetchBotIdentity } from './botIdentity.js';
import { registerCommands } from './registerCommands.js';

/**
 * `npm run commands:deploy [-- --guild ID]`: registers the commands with Discord, globally
 * (every server; can take a while to appear) or in one server (instantly, for development).
 * Exit codes: 0 registered, 1 bad usage or settings, 2 Discord refused or could not be reached.
 */

export function usage(): string {
  return [
    'Usage: npm run commands:deploy -- [--guild ID]',
    '',
    "Registers the bot's slash commands with Discord, using DISCORD_TOKEN (and DISCORD_API_URL).",
    '  (no option)     globally: in every server the bot is in; may take up to an hour to show',
    '  --guild ID      in one server only, instantly (while trying the bot out)',
    '  --help          this text',
  ].join('\n');
}

/** Runs the command and returns its exit code; `env` replaces the environment (and .env) for tests. */
export async function runDeployCommand(argv: readonly string[], output: CommandOutput = consoleOutput, env?: Environment): Promise<number> {
  const values = commandOptions(argv, { guild: { type: 'string', short: 'g' } }, usage(), output);
  if (typeof values === 'number') return values;
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
    output.err(`--guild "${values.guild}" is not a server id: expected the number shown by Copy Server ID (Developer Mode).\n\n${usage()}`);
    return 1;
  }
  let apiUrl: string;
  let token: string;
  try {
    const config = loadConfig(env);
    apiUrl = config.discord.apiUrl;
    token = requireDiscordToken(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(error.message);
    return 1;
  }
  try {
    const identity = await fetchBotIdentity(apiUrl, token);
    const rest = new REST({ api: apiUrl }).setToken(token);
    const application = (await rest.get(Routes.currentApplication())) as { id: string };
    const count = await registerCommands(rest, application.id, values.guild);
    const where = values.guild === undefined ? 'globally (every server; may take up to an hour to show)' : `in server ${values.guild}`;
    output.out(`Registered ${count} commands for ${identity.username} ${where}.`);
    return 0;
  } catch (error) {
    output.err(describeFailure(error, values.guild));
    return 2;
  }
}

function describeFailure(error: unknown, guildId: string | undefined): string {
  if (error instanceof DiscordTokenRefusedError || error instanceof DiscordUnavailableError) return error.message;
  if (error instanceof DiscordAPIError) {
    if (error.status === 401) return new DiscordTokenRefusedError().message;
    if (guildId !== undefined && (error.status === 403 || error.status === 404)) {
      return `Discord refused to register the commands in server ${guildId} (${error.message}): check the id, and that the bot was invited to that server with the applications.commands scope (the invite URL is in the README).`;
    }
  }
  return `Registering the commands failed: ${error instanceof Error ? error.message : String(error)}`;
}

if (startedDirectly(import.meta.url)) {
  process.exitCode = await runDeployCommand(process.argv.slice(2));
}
