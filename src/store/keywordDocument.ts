/**
 * The words around and inside one indexed image, as the keyword index and its store
 * keep them. The id is the image record's id.
 */
export interface KeywordDocument {
  id: string;
  /** Text read from the image (OCR); absent until OCR has run, or when it is off. */
  imageText?: string;
  /** The text of the message the image was posted with. */
  messageText?: string;
  /** The attachment's or file's name. */
  fileName?: string;
  /** The attachment's description (alt text). */
  description?: string;
}

export const KEYWORD_FIELDS = ['imageText', 'messageText', 'fileName', 'description'] as const;
export type KeywordField = (typeof KEYWORD_FIELDS)[number];

/** A document is worth indexing when any field holds a word. */
export function hasWords(document: KeywordDocument): boolean {
  return KEYWORD_FIELDS.some((field) => /[\p{L}\p{N}]/u.test(document[field] ?? ''));
}
