// @huggingface/tokenizers 0.2 ships typings whose relative imports have no file extension, which
// NodeNext resolution cannot follow, so TypeScript would see the whole package as `any`. This
// declares the part the project uses, copied from the package's types/core/Tokenizer.d.ts.
declare module '@huggingface/tokenizers' {
  export interface Encoding {
    ids: number[];
    tokens: string[];
    attention_mask: number[];
    token_type_ids?: number[];
  }

  export class Tokenizer {
    constructor(tokenizer: object, config: object);
    encode(text: string, options?: { text_pair?: string | null; add_special_tokens?: boolean }): Encoding;
    decode(tokenIds: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean | null }): string;
    /** The id of a token, or undefined when it is not in the vocabulary. */
    token_to_id(token: string): number | undefined;
    get_vocab(withAddedTokens?: boolean): Map<string, number>;
  }
}
