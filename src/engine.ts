import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { EmbeddingModel } from './embed/embeddingModel.js';
import { ensureModelFiles } from './embed/modelDownload.js';
import { supportedModelIds } from './embed/modelManifest.js';
import { logger } from './logger.js';
import { ImageLibrary } from './search/imageLibrary.js';
import { ImageStore } from './search/imageStore.js';
import { startProgress } from './terminalProgress.js';

/**
 * Start-up shared by the bot and the CLI: the model (downloaded if missing), then the
 * store, then the in-memory index loaded from it. Discord is not involved here.
 */

export interface Engine {
  model: EmbeddingModel;
  store: ImageStore;
  library: ImageLibrary;
  close(): Promise<void>;
}

export interface ModelChoice {
  /** A model directory used as it is. */
  dir?: string;
  /** A manifest id, downloaded into the models folder when missing. */
  id: string;
}

/** `--model` takes a directory or a model id: an existing directory wins. */
export async function resolveModelChoice(config: Config, override: string | undefined): Promise<ModelChoice> {
  if (override === undefined) {
    const dir = config.model.dir;
    return dir === undefined ? { id: config.model.id } : { id: modelIdForDirectory(dir), dir };
  }
  const isDirectory = await stat(override).then((info) => info.isDirectory(), () => false);
  return isDirectory ? { id: modelIdForDirectory(override), dir: override } : { id: override };
}

/**
 * Records are stamped with the model that embedded them. A directory named like a published
 * model (a hand-placed copy) takes that model's id; any other directory is `local/<name>`,
 * so vectors of two different directories never mix.
 */
function modelIdForDirectory(dir: string): string {
  const name = path.basename(path.resolve(dir));
  return supportedModelIds().find((id) => id.endsWith(`/${name}`)) ?? `local/${name}`;
}

export async function openModel(config: Config, choice: ModelChoice): Promise<EmbeddingModel> {
  const dir =
    choice.dir ??
    (await ensureModelFiles({
      modelId: choice.id,
      modelsDir: config.model.modelsDir,
      hubUrl: config.model.hubUrl,
    }));
  const model = await EmbeddingModel.create({
    dir,
    modelId: choice.id,
    threads: config.encoder.threads,
    maxBatch: config.encoder.maxBatch,
    maxWaitMs: config.encoder.maxWaitMs,
    imageLimits: config.imageLimits,
  });
  logger.debug({ model: model.id, dir, dimensions: model.dimensions }, 'model loaded');
  return model;
}

export async function openEngine(
  config: Config,
  options: { model?: string; storeUrl?: string; collections?: (collection: string) => boolean } = {},
): Promise<Engine> {
  const model = await openModel(config, await resolveModelChoice(config, options.model));
  let store: ImageStore | undefined;
  try {
    store = await ImageStore.open(options.storeUrl ?? config.storeUrl);
    for (const warning of store.warnings) logger.warn({ store: store.url }, warning);
    const progress = startProgress('loading index', 0);
    let counted = 0;
    const library = await ImageLibrary.open(model, store, {
      collections: options.collections,
      onProgress: (loaded) => {
        progress.advance(loaded - counted);
        counted = loaded;
      },
    });
    progress.stop();
    const opened = store;
    return {
      model,
      store: opened,
      library,
      close: async () => {
        await opened.close();
        await model.dispose();
      },
    };
  } catch (error) {
    await store?.close();
    await model.dispose();
    throw error;
  }
}
