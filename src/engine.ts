import { stat } from 'node:fs/promises';
import type { Config } from './config.js';
import { EmbeddingModel } from './embed/embeddingModel.js';
import { missingModelFiles } from './embed/modelDirectory.js';
import { ensureModelFiles, modelDirectoryFor } from './embed/modelDownload.js';
import { modelIdentity } from './embed/modelIdentity.js';
import { DEFAULT_MODEL_ID, isValidModelId, MODEL_FILES } from './embed/modelManifest.js';
import { logger } from './logger.js';
import { ImageLibrary } from './library/imageLibrary.js';
import { ImageTextReader } from './ocr/imageTextReader.js';
import { ImageStore } from './store/imageStore.js';
import { startProgress } from './terminalProgress.js';

/**
 * Start-up shared by the bot and the CLI: the model (downloaded if missing), then the
 * store, then the in-memory index loaded from it (vectors and words). Discord is not
 * involved here.
 */

export interface Engine {
  model: EmbeddingModel;
  store: ImageStore;
  library: ImageLibrary;
  close(): Promise<void>;
}

/** A model directory used as it is, or a manifest id downloaded into the models folder when missing. */
export type ModelChoice = { dir: string } | { id: string };

/** What a model is (from its files) and what people call it, known without loading it. */
export interface ModelName {
  id: string;
  label: string;
}

/** A `--model` that is neither a model folder nor a model id; the message names it and says what to give. */
export class ModelChoiceError extends Error {
  /** What --model was given. */
  readonly given: string;

  constructor(given: string, problem: string) {
    super(
      `${problem}: give --model a folder holding ${MODEL_FILES.join(', ')}, or a model id such as ${DEFAULT_MODEL_ID} ` +
        '(downloaded into the models folder)',
    );
    this.given = given;
    this.name = 'ModelChoiceError';
  }
}

/**
 * `--model` takes a directory or a model id: an existing directory wins; a path that is not
 * a folder, and is not shaped like an id (`owner/name`), is refused naming it.
 */
export async function resolveModelChoice(config: Config, override: string | undefined): Promise<ModelChoice> {
  if (override === undefined) return config.model.dir === undefined ? { id: config.model.id } : { dir: config.model.dir };
  const info = await stat(override).catch(() => undefined);
  if (info?.isDirectory() === true) return { dir: override };
  if (info !== undefined) throw new ModelChoiceError(override, `${override} is a file, not a model folder`);
  if (!isValidModelId(override)) throw new ModelChoiceError(override, `no model folder at ${override}`);
  return { id: override };
}

/** The hub id for a downloaded model; the folder as given otherwise. */
function labelOf(choice: ModelChoice): string {
  return 'id' in choice ? choice.id : choice.dir;
}

/**
 * Stores written before models were known by their files stamped records with the model's hub
 * id. A model used by that id (downloaded into the models folder, or placed there by hand as
 * the download error instructs) is taken to be the model those records were made with, so
 * they are adopted rather than left for a reindex (their vector length is still checked). The
 * first adoption pins the stamp to these files: if the folder's files change later, old records
 * count as another model. A folder given with MODEL_DIR proves nothing about old stamps, so
 * nothing is adopted for it.
 */
export function legacyStampsFor(choice: ModelChoice): string[] {
  return 'id' in choice ? [choice.id] : [];
}

/** The legacy stamps this model adopts in this store, pinning new adoptions when the store may be written. */
export async function adoptedModelIds(store: ImageStore, stamps: readonly string[], modelId: string, writable: boolean): Promise<string[]> {
  if (stamps.length === 0) return [];
  const pinned = await store.modelAdoptions();
  const adopted = stamps.filter((stamp) => (pinned[stamp] ?? modelId) === modelId);
  for (const stamp of stamps.filter((candidate) => !adopted.includes(candidate))) {
    logger.warn(
      { stamp, adoptedFor: pinned[stamp], model: modelId },
      `records stamped ${stamp} were made by other files than this model's; they count as another model until reindexed`,
    );
  }
  const fresh = adopted.filter((stamp) => pinned[stamp] === undefined);
  if (writable && fresh.length > 0)
    await store.setModelAdoptions({ ...pinned, ...Object.fromEntries(fresh.map((stamp) => [stamp, modelId])) });
  return adopted;
}

export async function openModel(config: Config, choice: ModelChoice): Promise<EmbeddingModel> {
  const dir =
    'dir' in choice
      ? choice.dir
      : await ensureModelFiles({ modelId: choice.id, modelsDir: config.model.modelsDir, hubUrl: config.model.hubUrl });
  const model = await EmbeddingModel.create({
    dir,
    label: labelOf(choice),
    threads: config.encoder.threads,
    maxBatch: config.encoder.maxBatch,
    maxWaitMs: config.encoder.maxWaitMs,
    imageLimits: config.imageLimits,
  });
  logger.debug({ model: model.label, id: model.id, dir, dimensions: model.dimensions }, 'model loaded');
  return model;
}

/**
 * The chosen model's identity when its files are already on disk, without loading or
 * downloading anything (for counting records by model); undefined when it is not here.
 */
export async function localModelName(config: Config, choice: ModelChoice): Promise<ModelName | undefined> {
  const dir = 'dir' in choice ? choice.dir : modelDirectoryFor(config.model.modelsDir, choice.id);
  if ((await missingModelFiles(dir)).length > 0) return undefined;
  return { id: await modelIdentity(dir), label: labelOf(choice) };
}

export interface EngineOptions {
  model?: string;
  storeUrl?: string;
  /** Which collections to load (a shard loads its own guilds); default all. */
  collections?: (collection: string) => boolean;
  /** Search only: the store is opened read-only and must exist (see ImageStoreOptions.readOnly). */
  readOnly?: boolean;
  /**
   * Read the words in images of every collection (default: the OCR setting). A per-server
   * choice replaces this later through `library.ocr.setEnabled`.
   */
  ocr?: boolean;
}

export async function openEngine(config: Config, options: EngineOptions = {}): Promise<Engine> {
  const choice = await resolveModelChoice(config, options.model);
  const model = await openModel(config, choice);
  const ocrOn = options.ocr ?? config.ocr;
  // Cheap until the first image is read: the OCR models load then.
  const ocr = new ImageTextReader({ enabled: () => ocrOn });
  try {
    const { store, library } = await openIndex(model, options.storeUrl ?? config.storeUrl, {
      ...options,
      ocr,
      legacyStamps: legacyStampsFor(choice),
    });
    return {
      model,
      store,
      library,
      close: async () => {
        // Images still waiting to be read are dropped: the next /reindex or `index --ocr` reads them.
        await ocr.close();
        await store.close();
        await model.dispose();
      },
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** The store, and the library loaded from it for this model: the part of start-up that grows with the index. */
export async function openIndex(
  model: EmbeddingModel,
  storeUrl: string,
  options: Pick<EngineOptions, 'collections' | 'readOnly'> & { ocr?: ImageTextReader; legacyStamps?: readonly string[] } = {},
): Promise<{ store: ImageStore; library: ImageLibrary }> {
  const store = await ImageStore.open(storeUrl, { readOnly: options.readOnly });
  try {
    for (const warning of store.warnings) logger.warn({ store: store.url }, warning);
    const progress = startProgress('loading index', 0);
    let counted = 0;
    const library = await ImageLibrary.open(model, store, {
      collections: options.collections,
      adoptedModelIds: await adoptedModelIds(store, options.legacyStamps ?? [], model.id, options.readOnly !== true),
      ocr: options.ocr,
      onProgress: (loaded) => {
        progress.advance(loaded - counted);
        counted = loaded;
      },
    });
    progress.stop();
    const unhashed = library.stats().reduce((sum, { collection }) => sum + library.imagesWithoutHash(collection), 0);
    if (unhashed > 0) {
      logger.info(
        { images: unhashed },
        'images without a perceptual hash: no reposts are found for them until /reindex or image-search index hashes them (no re-embedding)',
      );
    }
    return { store, library };
  } catch (error) {
    await store.close();
    throw error;
  }
}
