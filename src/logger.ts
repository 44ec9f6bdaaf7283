import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process-wide structured logger. Modules import it and log with context
 * (`logger.child({ guildId })`); `main.ts` and `cli.ts` set the level once from config.
 * Logs go to stderr so the CLI's stdout stays clean for results.
 */
export const logger: Logger = pino(
  {
    level: 'info',
    base: undefined,
    redact: { paths: ['token', '*.token', 'config.discordToken'], censor: '[redacted]' },
    serializers: { err: (error: Error) => withoutInteractionTokens(pino.stdSerializers.err(error)) },
  },
  pino.destination(2),
);

/**
 * Interaction tokens let anyone answer as the bot for 15 minutes, and discord.js puts
 * them in the URLs of its errors: they are masked wherever they appear in a logged error.
 */
const TOKEN_IN_PATH = /(\/(?:webhooks|interactions)\/\d+\/)[\w.-]{20,}/g;

function withoutInteractionTokens<T>(value: T): T {
  if (typeof value === 'string') return value.replace(TOKEN_IN_PATH, '$1[redacted]') as T;
  if (Array.isArray(value)) return value.map(withoutInteractionTokens) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutInteractionTokens(inner)])) as T;
  }
  return value;
}

export function setLogLevel(level: string): void {
  logger.level = level;
}
