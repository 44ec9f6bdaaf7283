#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { printDuplicates, thresholdFlags } from './cli/duplicatesCommand.js';
import { checkFolder } from './cli/folderArgument.js';
import { startedDirectly } from './cli/startedDirectly.js';
import { UsageError } from './cli/usageError.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { adoptedModelIds, legacyStampsFor, localModelName, openEngine, resolveModelChoice, type Engine } from './engine.js';
import { fetchImage } from './fetch/imageFetcher.js';
import { logger, setLogLevel } from './logger.js';
import { indexFolder, LOCAL_COLLECTION, type FolderIndexReport } from './library/folderIndexer.js';
import type { ImageLibrary, SearchHit } from './library/imageLibrary.js';
import { evaluateIndex } from './library/indexEval.js';
import { CaptionsFormatError } from './search/captionEval.js';
import { MATCH_MODES, type MatchMode } from './search/rankFusion.js';
import { ImageStore } from './store/imageStore.js';
import { storeBackendOf, StoreConfigError } from './store/keyvFactory.js';
import { countRecordsByModel } from './store/storeCensus.js';
import { migrateStore } from './store/storeMigration.js';
import { DEFAULT_REPOST_THRESHOLDS, type RepostThresholds } from './reposts/repostMatcher.js';
import { startProgress } from './terminalProgress.js';

/**
 * The engine without Discord: index a folder, then search it by text or by image.
 * Exit codes: 0 success, 1 usage error (help printed), 2 runtime error (one line; a path, model,
 * store or server that is missing or cannot be used is one, as the README says).
 */

const HELP = `Usage: image-search <command> [options]

Commands:
  index <folder> [--ocr]       index every image under a folder (recursive; resumable)
  find "<text>" [--top N] [--match meaning|words|both]
                               images that best match a description, or hold its words
  similar <path|URL> [--top N] images that look most like an image
  eval --captions FILE         Recall@1/5/10 and MRR of the index for FILE's queries
  duplicates [folder]          groups of near-copies among the indexed images, largest first
  stats                        what the index holds
  migrate --from URL --to URL  copy the whole index to another store and verify it

Options:
  --model DIR|ID   a uform3 model directory, or a model id to download (default: MODEL / MODEL_DIR)
  --store URL      sqlite://file, redis://host:port or postgresql://... (default: STORE_URL)
  --top N          results to show, 1-100 (default 10)
  --ocr            index: also read the words in images (default: OCR)
  --match MODE     find: by meaning, by the images' words, or both ranked together (default both)
  --captions FILE  eval: lines of "path<TAB>query", paths relative to FILE's folder
  --from, --to     stores to migrate from and to (migrate only)
  --verbose        log details and show stack traces
  -h, --help       this help

Options of duplicates (near-copies: hashes close and embeddings similar, or hashes very close):
  --json                   print one JSON array of groups, each an array of absolute paths
  --max-distance N         bits of 64 two perceptual hashes may differ in (default: REPOST_MAX_DISTANCE, ${DEFAULT_REPOST_THRESHOLDS.maxDistance})
  --min-similarity X       least cosine similarity of two embeddings, -1 to 1 (default: REPOST_MIN_SIMILARITY, ${DEFAULT_REPOST_THRESHOLDS.minSimilarity})
  --hash-alone-distance N  bits within which the hashes decide alone (default: REPOST_HASH_ALONE_DISTANCE, ${DEFAULT_REPOST_THRESHOLDS.hashAloneDistance})`;

interface CliOptions {
  model: string | undefined;
  store: string | undefined;
  from: string | undefined;
  to: string | undefined;
  top: number;
  json: boolean;
  /** Thresholds given as flags; the configuration supplies the rest. */
  thresholds: Partial<RepostThresholds>;
  ocr: boolean;
  match: MatchMode;
  captions: string | undefined;
  verbose: boolean;
}

export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 1;
  }
  if (parsed === 'help') {
    out(HELP);
    return 0;
  }
  const { command, args, options } = parsed;
  let engine: Engine | undefined;
  try {
    const config = loadConfig();
    setLogLevel(options.verbose ? 'debug' : config.logLevel === 'info' ? 'warn' : config.logLevel);
    if (command === 'migrate') {
      await migrate(options, out);
      return 0;
    }
    if (command === 'stats') {
      await stats(options, config, out);
      return 0;
    }
    // Before the model loads and the store is created: a mistyped folder is told at once.
    if (command === 'index') await checkFolder(args[0]!);
    // Searching only reads: a mistyped store is reported, not created.
    const ocr = command === 'index' ? options.ocr || config.ocr : false;
    engine = await openEngine(config, { model: options.model, storeUrl: options.store, readOnly: command !== 'index', ocr });
    await COMMANDS[command](engine, args, options, config, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CaptionsFormatError) {
      process.stderr.write(`${error.message}\n\n${HELP}\n`);
      return 1;
    }
    const message = error instanceof ConfigError ? error.message : `error: ${(error as Error).message ?? error}`;
    process.stderr.write(`${message}\n`);
    if (options.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 2;
  } finally {
    await engine?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the store failed'));
  }
}

const COMMAND_NAMES = ['index', 'find', 'similar', 'duplicates', 'eval', 'stats', 'migrate'] as const;
type CommandName = (typeof COMMAND_NAMES)[number];
type EngineCommandName = Exclude<CommandName, 'stats' | 'migrate'>;
type Command = (engine: Engine, args: string[], options: CliOptions, config: Config, out: (line: string) => void) => Promise<void>;

function parseCommandLine(argv: string[]): 'help' | { command: CommandName; args: string[]; options: CliOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      store: { type: 'string' },
      top: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      'max-distance': { type: 'string' },
      'min-similarity': { type: 'string' },
      'hash-alone-distance': { type: 'string' },
      ocr: { type: 'boolean', default: false },
      match: { type: 'string' },
      captions: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const [command, ...args] = positionals;
  if (command === undefined) throw new UsageError('No command given.');
  if (!(COMMAND_NAMES as readonly string[]).includes(command)) throw new UsageError(`Unknown command "${command}".`);
  if (command === 'migrate' && (values.from === undefined || values.to === undefined)) {
    throw new UsageError('migrate needs both --from URL and --to URL.');
  }
  for (const [option, url] of [
    ['--store', values.store],
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    if (url !== undefined) checkStoreUrl(option, url);
  }
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 100)
    throw new UsageError(`--top must be a whole number from 1 to 100, not "${values.top}".`);
  const match = values.match ?? 'both';
  if (!(MATCH_MODES as readonly string[]).includes(match)) throw new UsageError(`--match must be meaning, words or both, not "${match}".`);
  for (const [option, given, only] of [
    ['--ocr', values.ocr, 'index'],
    ['--match', values.match, 'find'],
    ['--captions', values.captions, 'eval'],
  ] as const) {
    if (given !== undefined && given !== false && command !== only) throw new UsageError(`${option} applies to "${only}" only.`);
  }
  if (command === 'eval' && values.captions === undefined) throw new UsageError('eval needs --captions FILE.');
  const expected = command === 'stats' || command === 'migrate' || command === 'eval' ? 0 : 1;
  if (command === 'duplicates' && args.length > 1) throw new UsageError('"duplicates" takes at most one argument: a folder.');
  if (command !== 'duplicates' && args.length !== expected) {
    throw new UsageError(
      expected === 0 ? `"${command}" takes no arguments.` : `"${command}" takes exactly one argument (quote text with spaces).`,
    );
  }
  return {
    command: command as CommandName,
    args,
    options: {
      model: values.model,
      store: values.store,
      from: values.from,
      to: values.to,
      top,
      json: values.json,
      thresholds: thresholdFlags(values),
      ocr: values.ocr,
      match: match as MatchMode,
      captions: values.captions,
      verbose: values.verbose,
    },
  };
}

function checkStoreUrl(option: string, url: string): void {
  try {
    storeBackendOf(url);
  } catch (error) {
    if (error instanceof StoreConfigError) throw new UsageError(`${option}: ${error.message}.`);
    throw error;
  }
}

/** Copies a whole store; needs no model, so it runs before the engine would load one. */
async function migrate(options: CliOptions, out: (line: string) => void): Promise<void> {
  // A mistyped source must fail, naming it, rather than "copy" an empty store it just created.
  const from = await ImageStore.open(options.from!, { readOnly: true, mustExist: true });
  try {
    const to = await ImageStore.open(options.to!);
    try {
      const progress = startProgress('copying records', 0);
      const copied = await migrateStore(from, to, (collection, count) => progress.advance(0, { [collection]: count }));
      progress.stop();
      const total = copied.reduce((sum, collection) => sum + collection.records, 0);
      out(`copied ${total} records in ${copied.length} collections from ${from.url} to ${to.url}; counts verified`);
      for (const { collection, records } of copied) out(`  ${collection}: ${records}`);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/**
 * Counts records by model straight from the store: no model is loaded or downloaded. When the
 * model's files are here, its identity says which records it can search.
 */
async function stats(options: CliOptions, config: Config, out: (line: string) => void): Promise<void> {
  const choice = await resolveModelChoice(config, options.model);
  const model = await localModelName(config, choice);
  const store = await ImageStore.open(options.store ?? config.storeUrl, { readOnly: true });
  try {
    const adopted = model === undefined ? [] : await adoptedModelIds(store, legacyStampsFor(choice), model.id, false);
    const ours = new Set(model === undefined ? [] : [model.id, ...adopted]);
    out(
      model === undefined
        ? 'model: not downloaded yet (records of every model are counted together)'
        : `model: ${model.label} (${model.id})`,
    );
    out(`store: ${store.backend} ${store.url}`);
    const census = await countRecordsByModel(store);
    if (census.length === 0) out('no images indexed yet');
    for (const { collection, byModel } of census) {
      const total = [...byModel.values()].reduce((sum, count) => sum + count, 0);
      const searchable = model === undefined ? total : [...byModel].reduce((sum, [id, count]) => sum + (ours.has(id) ? count : 0), 0);
      const other = total - searchable;
      out(`${collection}: ${searchable} images${other > 0 ? ` (+${other} from another model; ${reembedHint(collection)})` : ''}`);
    }
  } finally {
    await store.close();
  }
}

function reembedHint(collection: string): string {
  return collection === LOCAL_COLLECTION
    ? 'run "image-search index <folder>" again to re-embed them'
    : 'run /reindex in Discord to re-embed them';
}

const COMMANDS: Record<EngineCommandName, Command> = {
  async index(engine, [folder], _options, config, out) {
    const progress = startProgress('indexing', 0);
    const report = await indexFolder(engine.library, folder!, {
      concurrency: config.encoder.maxBatch * 2,
      onStart: (candidates) => progress.setTotal(candidates),
      onFile: (current) => progress.advance(1, countersOf(current)),
    });
    progress.stop();
    out(summarise(report));
    if (engine.library.ocr.isOn(LOCAL_COLLECTION))
      out(`read the text in ${report.textRead} images; ${report.textFailed} could not be read`);
    for (const failure of report.failed) out(`  failed: ${failure.file}: ${failure.reason}`);
  },

  async find(engine, [text], options, _config, out) {
    if (text!.trim() === '') throw new UsageError('The search text is empty.');
    printHits(await engine.library.search(LOCAL_COLLECTION, { text: text!, mode: options.match, limit: options.top }), engine.library, out);
  },

  async eval(engine, _args, options, _config, out) {
    const captionsFile = options.captions!;
    const captions = (await readLocal(captionsFile)).toString('utf8');
    out(await evaluateIndex(engine.library, LOCAL_COLLECTION, captionsFile, captions));
  },

  async duplicates(engine, [folder], options, config, out) {
    const thresholds = { ...config.reposts, ...options.thresholds };
    printDuplicates(engine.library, { folder, json: options.json, thresholds }, out, (line) => process.stderr.write(`${line}\n`));
  },

  async similar(engine, [target], options, config, out) {
    const bytes = /^https?:\/\//i.test(target!) ? await download(target!, config) : await readLocal(target!);
    printHits(await engine.library.searchImage(LOCAL_COLLECTION, bytes, { limit: options.top }), engine.library, out);
  },
};

function countersOf(report: FolderIndexReport): Record<string, number> {
  return { new: report.indexed + report.updated, unchanged: report.unchanged, skipped: report.skipped, failed: report.failed.length };
}

function summarise(report: FolderIndexReport): string {
  return (
    `indexed ${report.indexed} new, ${report.updated} changed, ${report.unchanged} unchanged; ` +
    `skipped ${report.skipped} non-images; ${report.failed.length} failed; removed ${report.removed} deleted`
  );
}

/** One line a hit; a hit found by its words is followed by the words that matched. */
function printHits(hits: Array<SearchHit & { matchedWords?: string[] }>, library: ImageLibrary, out: (line: string) => void): void {
  if (hits.length === 0) {
    out(noResultsReason(library));
    return;
  }
  out('rank  score   path');
  hits.forEach((hit, i) => {
    out(`${String(i + 1).padStart(4)}  ${hit.score.toFixed(4)}  ${hit.image.source}`);
    if (hit.matchedWords !== undefined && hit.matchedWords.length > 0) out(`        words: ${hit.matchedWords.join(', ')}`);
  });
}

function noResultsReason(library: ImageLibrary): string {
  const { images, otherModel } = library.statsOf(LOCAL_COLLECTION);
  if (images > 0) return 'no matching images';
  return otherModel > 0
    ? `no results: all ${otherModel} indexed images were embedded by another model than ${library.model.label}; ${reembedHint(LOCAL_COLLECTION)}`
    : 'no images indexed yet: run "image-search index <folder>" first';
}

async function readLocal(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}

async function download(url: string, config: Config): Promise<Uint8Array> {
  const { bytes } = await fetchImage(url, { maxBytes: config.imageLimits.maxBytes, timeoutMs: config.downloadTimeoutMs });
  return bytes;
}

if (startedDirectly(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
