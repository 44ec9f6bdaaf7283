import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelDirectoryError } from './modelDirectory.js';

/** Token ids and mask for a batch, laid out row-major as the text encoder's int32 [batch, length] inputs. */
export interface TokenBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  batchSize: number;
  length: number;
}

/**
 * The model's own `tokenizer.json`, padded and truncated to the length the text encoder
 * was trained with, exactly as uform's TextProcessor does: ids up to `length`, then
 * `paddingIdx`; mask 1 over real tokens.
 */
export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly length: number,
    private readonly paddingIdx: number,
  ) {}

  static async fromFile(file: string, options: { length: number; paddingIdx: number }): Promise<TextTokenizer> {
    let tokenizer: Tokenizer;
    try {
      const json: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof json !== 'object' || json === null) throw new Error('not a JSON object');
      tokenizer = new Tokenizer(json, {});
      tokenizer.encode('probe');
    } catch (error) {
      throw new ModelDirectoryError(file, `is not a usable tokenizer (${(error as Error).message})`);
    }
    return new TextTokenizer(tokenizer, options.length, options.paddingIdx);
  }

  /** Token ids of one text with special tokens, before padding or truncation. */
  tokenIds(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  encodeBatch(texts: readonly string[]): TokenBatch {
    const { length } = this;
    const inputIds = new Int32Array(texts.length * length).fill(this.paddingIdx);
    const attentionMask = new Int32Array(texts.length * length);
    texts.forEach((text, row) => {
      const ids = this.tokenIds(text);
      const used = Math.min(ids.length, length);
      for (let i = 0; i < used; i++) {
        inputIds[row * length + i] = ids[i]!;
        attentionMask[row * length + i] = 1;
      }
    });
    return { inputIds, attentionMask, batchSize: texts.length, length };
  }
}
