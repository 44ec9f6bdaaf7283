import path from 'node:path';
import { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { fixtureModelDir } from '../../test/fixtures/models/fixtureModels.js';

/** Room for the weather photos and the copies made of them. */
export const BENCH_IMAGE_LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };

/** The model the repost benchmarks embed with: the model folder given, or the small fixture. */
export async function repostBenchModel(modelDir: string | undefined): Promise<EmbeddingModel> {
  return EmbeddingModel.create({
    dir: modelDir ?? (await fixtureModelDir('small')),
    label: modelDir === undefined ? 'bench/small' : `local/${path.basename(modelDir)}`,
    threads: 0,
    maxBatch: 8,
    maxWaitMs: 5,
    imageLimits: BENCH_IMAGE_LIMITS,
  });
}
