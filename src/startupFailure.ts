import { ConfigError } from './config.js';
import { DiscordTokenRefusedError, DiscordUnavailableError } from './discord/botIdentity.js';
import { ShardCannotStartError, ShardCrashLoopError } from './discord/sharding/shardManager.js';
import { ModelDirectoryError } from './embed/modelDirectory.js';
import { ModelDownloadError } from './embed/modelDownloadErrors.js';
import { logger } from './logger.js';
import { HealthServerListenError } from './ops/healthServer.js';
import { StoreConfigError, StoreUnavailableError } from './store/keyvFactory.js';
import { ConcurrentWriterError, SchemaTooNewError, StoreCorruptError } from './store/storeErrors.js';

/**
 * How the bot says it could not start (or, as a shard manager, could not keep its shards running). A person at a terminal reads one plain paragraph: what
 * failed and what to do. A service (stderr not a terminal) gets one JSON log line like every
 * other. Failures whose message already says what to do are shown without a stack trace;
 * anything else is a bug, shown with its stack.
 */

export interface StartupFailure {
  /** What failed and what to do, in plain words. */
  message: string;
  /** The message is the whole story (no stack trace needed). */
  explained: boolean;
  /** Starting again unchanged will fail the same way (a wrong setting or token). */
  permanent: boolean;
}

const EXPLAINED: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  ConfigError,
  DiscordTokenRefusedError,
  DiscordUnavailableError,
  ModelDownloadError,
  ModelDirectoryError,
  StoreConfigError,
  StoreUnavailableError,
  SchemaTooNewError,
  StoreCorruptError,
  ConcurrentWriterError,
  HealthServerListenError,
  ShardCannotStartError,
  ShardCrashLoopError,
];

/** Failures of a setting or a file that only a person can fix: restarting changes nothing. */
const PERMANENT: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  ConfigError,
  DiscordTokenRefusedError,
  StoreConfigError,
  ModelDirectoryError,
  SchemaTooNewError,
];

const PORTAL = 'https://discord.com/developers/applications → your app → Bot';

export function describeStartupFailure(error: unknown): StartupFailure {
  // discord.js's own words for the two refusals at login, which say nothing about what to do.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TokenInvalid') return { message: new DiscordTokenRefusedError().message, explained: true, permanent: true };
  if (code === 'DisallowedIntents') {
    return {
      message:
        'Discord refused the Message Content intent, which the bot needs to see attachments: switch on ' +
        `Message Content Intent under Privileged Gateway Intents at ${PORTAL}, then start the bot again.`,
      explained: true,
      permanent: true,
    };
  }
  const permanent = PERMANENT.some((kind) => error instanceof kind);
  if (EXPLAINED.some((kind) => error instanceof kind)) return { message: (error as Error).message, explained: true, permanent };
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { message: `unexpected error: ${message}`, explained: false, permanent: false };
}

/** Writes the failure for whoever reads stderr; returns what was decided about it. */
export function reportStartupFailure(error: unknown, options: { tty?: boolean } = {}): StartupFailure {
  const failure = describeStartupFailure(error);
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  if (tty) {
    const stack = failure.explained || !(error instanceof Error) ? '' : `\n\n${error.stack ?? ''}`;
    process.stderr.write(`\nThe bot could not start. ${failure.message}${stack}\n\n`);
  } else if (failure.explained) {
    logger.fatal({ reason: (error as Error).name }, failure.message);
  } else {
    logger.fatal({ err: error }, failure.message);
  }
  return failure;
}
