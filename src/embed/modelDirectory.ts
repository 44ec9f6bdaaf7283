import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MODEL_FILES, type ModelFileName } from './modelManifest.js';

/** What the engine needs from `config.json`; the rest of uform's config is ignored. */
export interface ModelConfig {
  imageSize: number;
  means: [number, number, number];
  deviations: [number, number, number];
  maxTokens: number;
  paddingIdx: number;
}

export interface ModelDirectory {
  dir: string;
  config: ModelConfig;
  paths: Record<ModelFileName, string>;
}

/** A model directory that cannot be used; the message names the file and what is wrong. */
export class ModelDirectoryError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`Model file ${file}: ${problem}`);
    this.name = 'ModelDirectoryError';
  }
}

const triple = z.tuple([z.number(), z.number(), z.number()]);
const configSchema = z.object({
  image_encoder: z.object({
    image_size: z.number().int().positive(),
    normalization_means: triple,
    normalization_deviations: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  text_encoder: z.object({
    max_position_embeddings: z.number().int().positive(),
    padding_idx: z.number().int().min(0),
  }),
});

export async function missingModelFiles(dir: string): Promise<ModelFileName[]> {
  const missing: ModelFileName[] = [];
  for (const file of MODEL_FILES) {
    try {
      await access(path.join(dir, file));
    } catch {
      missing.push(file);
    }
  }
  return missing;
}

/** Checks that `dir` holds a complete uform3 model and reads its config. ONNX I/O is checked by the encoders. */
export async function readModelDirectory(dir: string): Promise<ModelDirectory> {
  const absolute = path.resolve(dir);
  const missing = await missingModelFiles(absolute);
  if (missing.length > 0) {
    throw new ModelDirectoryError(
      path.join(absolute, missing[0]!),
      `missing (a uform3 model directory holds ${MODEL_FILES.join(', ')}; missing here: ${missing.join(', ')})`,
    );
  }
  const paths = Object.fromEntries(MODEL_FILES.map((file) => [file, path.join(absolute, file)])) as Record<ModelFileName, string>;
  return { dir: absolute, config: await readModelConfig(paths['config.json']), paths };
}

async function readModelConfig(file: string): Promise<ModelConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelDirectoryError(file, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelDirectoryError(file, `field ${issue.path.join('.')} is wrong: ${issue.message}`);
  }
  const { image_encoder: image, text_encoder: text } = parsed.data;
  return {
    imageSize: image.image_size,
    means: image.normalization_means,
    deviations: image.normalization_deviations,
    maxTokens: text.max_position_embeddings,
    paddingIdx: text.padding_idx,
  };
}
