import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { DEFAULT_HUB_URL, DEFAULT_MODEL_ID } from './embed/modelManifest.js';
import { DEFAULT_REPOST_THRESHOLDS, HASH_BITS, type RepostThresholds } from './reposts/repostMatcher.js';

/**
 * The one place that reads the environment. Every variable is validated at start;
 * a bad one stops the process with a message naming it, its (masked) value and
 * what it should be. `.env.example` documents the same variables and defaults.
 */

const SECRET_VARIABLES = new Set(['DISCORD_TOKEN']);

const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`);
const nonNegativeInt = (what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .min(0, `expected ${what}`);

/**
 * A duration for a timer: bounded, because Node's timers take at most 2^31-1 ms and fire after
 * 1 ms beyond that, so "a huge number to turn it off" would make every wait end at once.
 */
const milliseconds = (min: number, max: number, what: string) => {
  const expected = `expected ${what}: a whole number of milliseconds from ${min} to ${max}`;
  return nonNegativeInt(expected.slice('expected '.length)).min(min, expected).max(max, expected);
};

/** A Hamming distance between two perceptual hashes. */
const hashBits = () =>
  nonNegativeInt(`a whole number of bits from 0 to ${HASH_BITS}`).max(HASH_BITS, `expected a whole number of bits from 0 to ${HASH_BITS}`);

const listOf = (what: string) =>
  z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .refine((parts) => parts.length > 0, `expected ${what}`);

const httpUrl = (what: string) =>
  z.string().refine((raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, `expected ${what} (an http:// or https:// URL)`);

/** Far beyond any bot Discord serves; a guard against a typo that would list billions of ids. */
const MAX_SHARDS = 100_000;

/** `0-7`, `0,2,4` or `0-3,8-11`: the shards one host runs, as a sorted list without repeats. */
const shardIdList = z.string().transform((raw, context) => {
  const ids: number[] = [];
  for (const part of raw.split(',').map((piece) => piece.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    const first = Number(range?.[1]);
    const last = range?.[2] === undefined ? first : Number(range[2]);
    if (range === null || last < first) {
      context.addIssue({ code: 'custom', message: 'expected shard ids such as 0-7, 0,2,4 or 0-3,8-11 (ranges from low to high)' });
      return z.NEVER;
    }
    if (last >= MAX_SHARDS) {
      context.addIssue({ code: 'custom', message: `expected shard ids below ${MAX_SHARDS}` });
      return z.NEVER;
    }
    for (let id = first; id <= last; id++) ids.push(id);
  }
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) {
    context.addIssue({ code: 'custom', message: `expected each shard once, but ${repeated} is listed twice` });
    return z.NEVER;
  }
  return ids.sort((a, b) => a - b);
});

const STORE_SCHEMES = ['sqlite://', 'redis://', 'rediss://', 'postgres://', 'postgresql://'];

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'expected one of fatal, error, warn, info, debug, trace, silent',
  }),
  MODEL: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected a model id like unum-cloud/uform3-image-text-english-small'),
  MODEL_DIR: z.string().optional(),
  MODELS_DIR: z.string().min(1, 'expected a folder for downloaded models'),
  MODEL_HUB_URL: httpUrl('the model hub base URL'),
  STORE_URL: z
    .string()
    .refine((raw) => STORE_SCHEMES.some((scheme) => raw.startsWith(scheme)), `expected a URL starting with ${STORE_SCHEMES.join(', ')}`),
  ENCODER_THREADS: nonNegativeInt('a whole number of threads (0 lets onnxruntime choose)'),
  ENCODER_MAX_BATCH: positiveInt('a whole number of images per batch, at least 1'),
  ENCODER_MAX_WAIT_MS: milliseconds(0, 10_000, 'the time to wait while filling a batch'),
  MAX_IMAGE_BYTES: positiveInt('a size in bytes'),
  MAX_IMAGE_PIXELS: positiveInt('a pixel count (width x height)'),
  DOWNLOAD_TIMEOUT_MS: milliseconds(1, 600_000, 'the time an image download may take (at most 10 minutes)'),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_API_URL: httpUrl('the Discord REST base URL'),
  DISCORD_CDN_HOSTS: listOf('a comma-separated list of host names (or host:port)'),
  INGEST_CONCURRENCY: positiveInt('a whole number of images encoded at once, at least 1'),
  INGEST_QUEUE_LIMIT: positiveInt('a whole number of queued images, at least 1'),
  INGEST_MAX_ATTEMPTS: positiveInt('a whole number of attempts, at least 1'),
  COMMANDS_PER_MINUTE: positiveInt('a whole number of commands a member may run per minute'),
  CONTROLS_PER_MINUTE: positiveInt('a whole number of button presses and menu choices a member may make per minute'),
  THREAD_MEMBERSHIP_CACHE_SECONDS: nonNegativeInt('a whole number of seconds from 0 to 60').max(
    60,
    'expected a whole number of seconds from 0 to 60',
  ),
  HEALTH_PORT: z.coerce
    .number({ error: 'expected a TCP port from 1 to 65535' })
    .int('expected a TCP port from 1 to 65535')
    .min(1, 'expected a TCP port from 1 to 65535')
    .max(65535, 'expected a TCP port from 1 to 65535')
    .optional(),
  SHARDS: z
    .string()
    .regex(/^(auto|[1-9]\d*)$/, 'expected "auto" or a whole number of shards, at least 1')
    .optional(),
  SHARD_IDS: shardIdList.optional(),
  SHARD_COUNT: positiveInt('the total number of shards across all hosts, at least 1').optional(),
  // Background re-check of indexed messages (deletions the gateway never delivered).
  RECHECK_PERIOD_HOURS: z.coerce
    .number({ error: 'expected a number of hours greater than 0, e.g. 24' })
    .positive('expected a number of hours greater than 0, e.g. 24'),
  RECHECK_REQUESTS_PER_MINUTE: nonNegativeInt('a whole number of history reads a minute (0 turns the re-check off)'),
  // When two images are near-copies (src/reposts/repostMatcher.ts).
  REPOST_MAX_DISTANCE: hashBits(),
  REPOST_MIN_SIMILARITY: z.coerce
    .number({ error: 'expected a cosine similarity from -1 to 1, e.g. 0.8' })
    .min(-1, 'expected a cosine similarity from -1 to 1, e.g. 0.8')
    .max(1, 'expected a cosine similarity from -1 to 1, e.g. 0.8'),
  REPOST_HASH_ALONE_DISTANCE: hashBits(),
  // Reading the words in images (issue 13): off by default, it costs CPU and ~350 MB.
  OCR: z.enum(['on', 'off'], { error: 'expected on or off' }),
});

/**
 * discord.js's ShardingManager starts each shard as a child process with SHARDING_MANAGER,
 * SHARDS (a JSON list of shard ids) and SHARD_COUNT set; in such a child SHARDS means that.
 */
const shardChildSchema = z.object({
  SHARDS: z.string().transform((raw, context) => {
    const parsed: unknown = JSON.parse(raw);
    const ids = Array.isArray(parsed) ? parsed : [parsed];
    if (!ids.every((id) => Number.isInteger(id) && id >= 0)) {
      context.addIssue({ code: 'custom', message: 'expected shard ids from the sharding manager' });
    }
    return ids as number[];
  }),
  SHARD_COUNT: positiveInt('the shard count from the sharding manager'),
});

/** Every variable the bot reads, with its default (undefined: no default). */
export const CONFIG_DEFAULTS: Record<keyof z.infer<typeof schema>, string | undefined> = {
  LOG_LEVEL: 'info',
  MODEL: DEFAULT_MODEL_ID,
  MODEL_DIR: undefined,
  MODELS_DIR: 'models',
  MODEL_HUB_URL: DEFAULT_HUB_URL,
  STORE_URL: 'sqlite://data/index.sqlite',
  ENCODER_THREADS: '0',
  ENCODER_MAX_BATCH: '16',
  ENCODER_MAX_WAIT_MS: '5',
  MAX_IMAGE_BYTES: String(25 * 1024 * 1024),
  MAX_IMAGE_PIXELS: String(40_000_000),
  DOWNLOAD_TIMEOUT_MS: '15000',
  DISCORD_TOKEN: undefined,
  DISCORD_API_URL: 'https://discord.com/api',
  DISCORD_CDN_HOSTS: 'cdn.discordapp.com,media.discordapp.net',
  INGEST_CONCURRENCY: '4',
  INGEST_QUEUE_LIMIT: '10000',
  INGEST_MAX_ATTEMPTS: '3',
  COMMANDS_PER_MINUTE: '10',
  CONTROLS_PER_MINUTE: '60',
  THREAD_MEMBERSHIP_CACHE_SECONDS: '30',
  HEALTH_PORT: undefined,
  SHARDS: undefined,
  SHARD_IDS: undefined,
  SHARD_COUNT: undefined,
  RECHECK_PERIOD_HOURS: '24',
  RECHECK_REQUESTS_PER_MINUTE: '30',
  REPOST_MAX_DISTANCE: String(DEFAULT_REPOST_THRESHOLDS.maxDistance),
  REPOST_MIN_SIMILARITY: String(DEFAULT_REPOST_THRESHOLDS.minSimilarity),
  REPOST_HASH_ALONE_DISTANCE: String(DEFAULT_REPOST_THRESHOLDS.hashAloneDistance),
  OCR: 'off',
};

export interface Config {
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  model: {
    /** Manifest id, used for downloads and stamped on every record. */
    id: string;
    /** An explicit model directory (no download), or undefined to use `modelsDir/<id>`. */
    dir: string | undefined;
    modelsDir: string;
    hubUrl: string;
  };
  storeUrl: string;
  encoder: { threads: number; maxBatch: number; maxWaitMs: number };
  imageLimits: { maxBytes: number; maxPixels: number };
  downloadTimeoutMs: number;
  discord: {
    token: string | undefined;
    apiUrl: string;
    cdnHosts: string[];
  };
  ingest: { concurrency: number; queueLimit: number; maxAttempts: number };
  commandsPerMinute: number;
  /** Presses of buttons and choices in menus (page turns, More like, Show, Share) one member may make per minute. */
  controlsPerMinute: number;
  /** How long Discord's answer to "is this member in that private thread?" is trusted (0: asked every time). */
  threadMembershipCacheMs: number;
  /** Port of the /healthz and /metrics server; undefined: no server. */
  healthPort: number | undefined;
  /** Every indexed message is read again about once a period, at most this many history reads a minute (0: never). */
  recheck: { periodMs: number; requestsPerMinute: number };
  /** Default thresholds of the near-copy decision (reposts, `image-search duplicates`). */
  reposts: RepostThresholds;
  /** Read the words in every collection's images (OCR); the CLI's --ocr turns it on for one run. */
  ocr: boolean;
  /**
   * How this process takes part in sharding: `single` (no manager), `manager` (spawns one
   * process per shard it runs: `ids` of `count`, all of them when `ids` is undefined), or
   * `shard` (a child the manager started, owning `ids` of `count`).
   */
  sharding:
    | { role: 'single' }
    | { role: 'manager'; count: 'auto' | number; ids: number[] | undefined }
    | { role: 'shard'; ids: number[]; count: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'is not set';
  if (SECRET_VARIABLES.has(name)) return `is set to a value of ${value.length} characters (hidden)`;
  return `is ${JSON.stringify(value)}`;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Validates an environment (by default `process.env` after loading `.env`). */
export function loadConfig(env?: Environment): Config {
  if (env === undefined) {
    loadDotenv({ quiet: true });
    env = process.env;
  }
  const raw: Record<string, string | undefined> = {};
  for (const [name, fallback] of Object.entries(CONFIG_DEFAULTS)) {
    const value = env[name];
    raw[name] = value === undefined || value === '' ? fallback : value;
  }
  // In a shard process the sharding manager sets SHARDS and SHARD_COUNT (read below).
  if (env.SHARDING_MANAGER === 'true') raw.SHARDS = raw.SHARD_IDS = raw.SHARD_COUNT = undefined;
  const parsed = schema.safeParse(raw);
  const problems = parsed.success
    ? shardingProblems(parsed.data, raw)
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name} ${describeValue(name, raw[name])}: ${issue.message}`;
      });
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const v = parsed.data;
  let sharding: Config['sharding'] = { role: 'single' };
  if (env.SHARDING_MANAGER === 'true') {
    const child = shardChildSchema.safeParse({ SHARDS: env.SHARDS, SHARD_COUNT: env.SHARD_COUNT });
    if (!child.success)
      throw new ConfigError([`SHARDS/SHARD_COUNT from the sharding manager are not usable: ${child.error.issues[0]?.message}`]);
    sharding = { role: 'shard', ids: child.data.SHARDS, count: child.data.SHARD_COUNT };
  } else if (v.SHARDS !== undefined) {
    sharding = { role: 'manager', count: v.SHARDS === 'auto' ? 'auto' : Number(v.SHARDS), ids: undefined };
  } else if (v.SHARD_IDS !== undefined && v.SHARD_COUNT !== undefined) {
    sharding = { role: 'manager', count: v.SHARD_COUNT, ids: v.SHARD_IDS };
  }
  return {
    logLevel: v.LOG_LEVEL,
    model: { id: v.MODEL, dir: v.MODEL_DIR, modelsDir: v.MODELS_DIR, hubUrl: v.MODEL_HUB_URL },
    storeUrl: v.STORE_URL,
    encoder: { threads: v.ENCODER_THREADS, maxBatch: v.ENCODER_MAX_BATCH, maxWaitMs: v.ENCODER_MAX_WAIT_MS },
    imageLimits: { maxBytes: v.MAX_IMAGE_BYTES, maxPixels: v.MAX_IMAGE_PIXELS },
    downloadTimeoutMs: v.DOWNLOAD_TIMEOUT_MS,
    discord: { token: v.DISCORD_TOKEN, apiUrl: v.DISCORD_API_URL, cdnHosts: v.DISCORD_CDN_HOSTS },
    ingest: {
      concurrency: v.INGEST_CONCURRENCY,
      queueLimit: v.INGEST_QUEUE_LIMIT,
      maxAttempts: v.INGEST_MAX_ATTEMPTS,
    },
    commandsPerMinute: v.COMMANDS_PER_MINUTE,
    controlsPerMinute: v.CONTROLS_PER_MINUTE,
    threadMembershipCacheMs: v.THREAD_MEMBERSHIP_CACHE_SECONDS * 1000,
    healthPort: v.HEALTH_PORT,
    recheck: { periodMs: v.RECHECK_PERIOD_HOURS * 3_600_000, requestsPerMinute: v.RECHECK_REQUESTS_PER_MINUTE },
    reposts: {
      maxDistance: v.REPOST_MAX_DISTANCE,
      minSimilarity: v.REPOST_MIN_SIMILARITY,
      hashAloneDistance: v.REPOST_HASH_ALONE_DISTANCE,
    },
    ocr: v.OCR === 'on',
    sharding,
  };
}

/**
 * SHARDS runs every shard on this host; SHARD_IDS with SHARD_COUNT runs some of them (the
 * rest on other hosts). The combinations that cannot mean anything are refused here.
 */
function shardingProblems(v: z.infer<typeof schema>, raw: Record<string, string | undefined>): string[] {
  const ids = `SHARD_IDS ${describeValue('SHARD_IDS', raw.SHARD_IDS)}`;
  const count = `SHARD_COUNT ${describeValue('SHARD_COUNT', raw.SHARD_COUNT)}`;
  if (v.SHARDS !== undefined && (v.SHARD_IDS !== undefined || v.SHARD_COUNT !== undefined)) {
    return [
      `SHARDS ${describeValue('SHARDS', raw.SHARDS)} together with SHARD_IDS/SHARD_COUNT: set SHARDS to run every shard on ` +
        'this host, or SHARD_IDS with SHARD_COUNT to run some of them, not both',
    ];
  }
  if (v.SHARD_IDS !== undefined && v.SHARD_COUNT === undefined) {
    return [`${count} while ${ids}: expected the total number of shards across all hosts, which every host must agree on`];
  }
  if (v.SHARD_IDS === undefined && v.SHARD_COUNT !== undefined) {
    return [`${ids} while ${count}: expected the shards this host runs, such as 0-7 (or use SHARDS=${v.SHARD_COUNT} to run them all here)`];
  }
  const outOfRange = v.SHARD_IDS?.find((id) => id >= v.SHARD_COUNT!);
  if (outOfRange !== undefined) {
    return [
      `${ids}: shard ${outOfRange} does not exist when SHARD_COUNT is ${v.SHARD_COUNT} (shard ids run from 0 to ${v.SHARD_COUNT! - 1})`,
    ];
  }
  return [];
}

/** The bot needs a token; the CLI does not. Checked separately so the CLI runs without one. */
export function requireDiscordToken(config: Config): string {
  const token = config.discord.token;
  if (token === undefined || token.trim() === '') {
    throw new ConfigError([
      'DISCORD_TOKEN is not set: expected the bot token from https://discord.com/developers/applications → your app → Bot → Reset Token',
    ]);
  }
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token.trim())) {
    throw new ConfigError([
      `DISCORD_TOKEN ${describeValue('DISCORD_TOKEN', token)}: expected a bot token of three dot-separated parts (copy it again from the developer portal)`,
    ]);
  }
  return token.trim();
}
