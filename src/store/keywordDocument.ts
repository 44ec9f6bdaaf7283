/**
 * The words around and inside one indexed image, as the keyword index and its store
 * keep them. The id is the image record's id.
 *
 * The store keeps the text as written, never the index's terms: the in-memory index is built
 * from it at every start, so a change to how words are normalised (search/wordNormalisation.ts)
 * applies to every stored document at the next start, and stored and searched terms cannot
 * disagree. Nothing needs rebuilding or a version stamp when the normalisation changes.
 */
export interface KeywordDocument {
  id: string;
  /**
   * Text read from the image (OCR). Undefined: not read (yet, or OCR is off); '' when it
   * was read and holds no text. So this field is also the "OCR done" marker, written in
   * the same store write as the text it marks.
   */
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

/** The words around an image, known when it is posted (or found in a folder). */
export type SurroundingWords = Pick<KeywordDocument, 'messageText' | 'fileName' | 'description'>;

/** A document is worth indexing when any field holds a word. */
export function hasWords(document: KeywordDocument): boolean {
  return KEYWORD_FIELDS.some((field) => /[\p{L}\p{N}]/u.test(document[field] ?? ''));
}

/** Kept when it holds words, or records that OCR read the image (found nothing, but need not read it again). */
export function worthKeeping(document: KeywordDocument): boolean {
  return document.imageText !== undefined || hasWords(document);
}
