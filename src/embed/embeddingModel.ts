import * as ort from 'onnxruntime-node';
import { MicroBatcher } from './microBatcher.js';
import { ModelDirectoryError, readModelDirectory, type ModelConfig, type ModelDirectory } from './modelDirectory.js';
import { firstLine, IMAGE_ENCODER_SIGNATURE, TEXT_ENCODER_SIGNATURE, normalisedRows, openEncoderSession } from './encoderSession.js';
import { preprocessImage, type ImageLimits, type ImagePreprocessSpec } from './imagePreprocessor.js';
import { modelIdentity } from './modelIdentity.js';
import { TextTokenizer } from './textTokenizer.js';

export interface EmbeddingModelOptions {
  /** A uform3 model directory (config.json, tokenizer.json, image_encoder.onnx, text_encoder.onnx). */
  dir: string;
  /** How people know the model: its hub id when downloaded, its folder when given as one. Display only. */
  label: string;
  threads: number;
  maxBatch: number;
  maxWaitMs: number;
  imageLimits: ImageLimits;
}

/**
 * Pixels and words → L2-normalised vectors in one space. Built only by `create()`, so an
 * instance always has both sessions loaded and checked. Concurrent calls are coalesced
 * into micro-batches; image preprocessing runs (in sharp's thread pool) while the
 * previous batch is inside the model, so the two overlap.
 */
export class EmbeddingModel {
  private readonly imageBatcher: MicroBatcher<Float32Array, Float32Array>;
  private readonly textBatcher: MicroBatcher<string, Float32Array>;

  private constructor(
    /** Derived from the model's files (see modelIdentity.ts) and stamped on every record it embeds. */
    readonly id: string,
    readonly label: string,
    readonly dimensions: number,
    readonly config: ModelConfig,
    readonly imageLimits: ImageLimits,
    private readonly imageSession: ort.InferenceSession,
    private readonly textSession: ort.InferenceSession,
    private readonly tokenizer: TextTokenizer,
    batching: { maxBatch: number; maxWaitMs: number },
  ) {
    this.imageBatcher = new MicroBatcher((tensors) => this.runImages(tensors), batching);
    this.textBatcher = new MicroBatcher((texts) => this.runTexts(texts), batching);
  }

  static async create(options: EmbeddingModelOptions): Promise<EmbeddingModel> {
    const directory = await readModelDirectory(options.dir);
    const id = await modelIdentity(directory.dir);
    const tokenizer = await TextTokenizer.fromFile(directory.paths['tokenizer.json'], {
      length: directory.config.maxTokens,
      paddingIdx: directory.config.paddingIdx,
    });
    const sessionOptions = { threads: options.threads };
    const imageSession = await openEncoderSession(directory.paths['image_encoder.onnx'], IMAGE_ENCODER_SIGNATURE, sessionOptions);
    let textSession: ort.InferenceSession | undefined;
    try {
      textSession = await openEncoderSession(directory.paths['text_encoder.onnx'], TEXT_ENCODER_SIGNATURE, sessionOptions);
      const dimensions = await probeDimensions(imageSession, textSession, directory, tokenizer);
      return new EmbeddingModel(
        id,
        options.label,
        dimensions,
        directory.config,
        options.imageLimits,
        imageSession,
        textSession,
        tokenizer,
        { maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs },
      );
    } catch (error) {
      await imageSession.release();
      await textSession?.release();
      throw error;
    }
  }

  get preprocessSpec(): ImagePreprocessSpec {
    return { imageSize: this.config.imageSize, means: this.config.means, deviations: this.config.deviations };
  }

  /** Images waiting for a batch slot (for queue-depth reporting). */
  get pendingImages(): number {
    return this.imageBatcher.pending;
  }

  /** Any supported image file's bytes → its embedding. Throws ImageRejectedError for bad input. */
  async embedImage(bytes: Uint8Array): Promise<Float32Array> {
    const tensor = await preprocessImage(bytes, this.preprocessSpec, this.imageLimits);
    return this.imageBatcher.submit(tensor);
  }

  /** An already preprocessed CHW tensor → its embedding (benchmarks measure the model alone with it). */
  embedPreprocessed(tensor: Float32Array): Promise<Float32Array> {
    return this.imageBatcher.submit(tensor);
  }

  embedText(text: string): Promise<Float32Array> {
    return this.textBatcher.submit(text);
  }

  /** Token ids the model sees for a text, before padding (lets callers say a query was truncated). */
  countTokens(text: string): number {
    return this.tokenizer.tokenIds(text).length;
  }

  get maxTokens(): number {
    return this.config.maxTokens;
  }

  async dispose(): Promise<void> {
    this.imageBatcher.close();
    this.textBatcher.close();
    await this.imageSession.release();
    await this.textSession.release();
  }

  private async runImages(tensors: Float32Array[]): Promise<Float32Array[]> {
    const size = this.config.imageSize;
    const stride = 3 * size * size;
    const batch = new Float32Array(tensors.length * stride);
    tensors.forEach((tensor, i) => batch.set(tensor, i * stride));
    const input = new ort.Tensor('float32', batch, [tensors.length, 3, size, size]);
    const outputs = await this.imageSession.run({ images: input }, ['embeddings']);
    return normalisedRows(outputs.embeddings!, tensors.length);
  }

  private async runTexts(texts: string[]): Promise<Float32Array[]> {
    return runTextSession(this.textSession, this.tokenizer, texts);
  }
}

async function runTextSession(session: ort.InferenceSession, tokenizer: TextTokenizer, texts: readonly string[]): Promise<Float32Array[]> {
  const tokens = tokenizer.encodeBatch(texts);
  const dims = [tokens.batchSize, tokens.length];
  const outputs = await session.run(
    {
      input_ids: new ort.Tensor('int32', tokens.inputIds, dims),
      attention_mask: new ort.Tensor('int32', tokens.attentionMask, dims),
    },
    ['embeddings'],
  );
  return normalisedRows(outputs.embeddings!, texts.length);
}

/**
 * The embedding size is read from the model, never assumed: one tiny forward pass of
 * each encoder, which also proves both run and agree.
 */
async function probeDimensions(
  imageSession: ort.InferenceSession,
  textSession: ort.InferenceSession,
  directory: ModelDirectory,
  tokenizer: TextTokenizer,
): Promise<number> {
  const size = directory.config.imageSize;
  const blank = new ort.Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]);
  let imageDims: number;
  let textDims: number;
  try {
    const image = await imageSession.run({ images: blank }, ['embeddings']);
    imageDims = image.embeddings!.dims.at(-1)!;
  } catch (error) {
    throw new ModelDirectoryError(
      directory.paths['image_encoder.onnx'],
      `failed on a ${size}x${size} test image (does config.json's image_size match the model?): ${firstLine(error)}`,
    );
  }
  try {
    textDims = (await runTextSession(textSession, tokenizer, ['a photo']))[0]!.length;
  } catch (error) {
    throw new ModelDirectoryError(
      directory.paths['text_encoder.onnx'],
      `failed on a test sentence (do config.json's max_position_embeddings and tokenizer.json match the model?): ${firstLine(error)}`,
    );
  }
  if (imageDims !== textDims) {
    throw new ModelDirectoryError(
      directory.dir,
      `image embeddings have ${imageDims} dimensions but text embeddings ${textDims}; the two encoders must match`,
    );
  }
  return imageDims;
}
