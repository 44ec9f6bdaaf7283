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
  },
  pino.destination(2),
);

export function setLogLevel(level: string): void {
  logger.level = level;
}
