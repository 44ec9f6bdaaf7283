/**
 * How one image becomes searchable, the same for the bot's ingest queue and the CLI's folder
 * indexer:
 *   1. its embedding, as foreground work (nothing waits behind OCR);
 *   2. its record, then the words around it (message text, file name, alt text);
 *   3. if OCR is on for its collection and the image was not read yet, the words in it, in the
 *      background; what was read is stored with the other words and marks the image read, so
 *      indexing it again (`/reindex`, `index --ocr`) does not read it twice.
 */
import { ImageRejectedError } from '../embed/imageErrors.js';
import type { AddOutcome, ImageLibrary, ImageOrigin } from '../library/imageLibrary.js';
import { logger } from '../logger.js';
import { BacklogFullError, SchedulerClosedError } from '../ocr/idleScheduler.js';
import { OcrModelError } from '../ocr/ocrErrors.js';
import type { SurroundingWords } from '../store/keywordDocument.js';

export type { SurroundingWords } from '../store/keywordDocument.js';

/** What became of reading an image's text. */
export type TextOutcome = 'read' | 'not-needed' | 'left-for-later' | 'failed';

/** Steps 1 and 2: embeds and stores the image (unless unchanged) and the words around it. */
export async function indexImage(
  library: ImageLibrary,
  origin: ImageOrigin,
  bytes: Uint8Array,
  words: SurroundingWords,
): Promise<AddOutcome> {
  const before = library.get(origin.collection, origin.id)?.contentHash;
  const outcome = await library.ocr.foreground(() => library.addImage(origin, bytes));
  const imageChanged = library.get(origin.collection, origin.id)?.contentHash !== before;
  await library.words.describe(origin.collection, origin.id, words, { imageChanged });
  return outcome;
}

/** Whether step 3 is due: OCR is on for the collection and has not read this image. */
export function needsReading(library: ImageLibrary, collection: string, id: string): boolean {
  return library.ocr.isOn(collection) && !library.words.isRead(collection, id);
}

/**
 * Step 3, for an indexed image: reads its text in the background and stores it. Resolves when
 * done or given up (never rejects): callers that must not wait for OCR do not await it.
 */
export async function readImageText(library: ImageLibrary, collection: string, id: string, bytes: Uint8Array): Promise<TextOutcome> {
  if (!needsReading(library, collection, id)) return 'not-needed';
  const hash = library.get(collection, id)?.contentHash;
  const log = logger.child({ collection, imageId: id });
  try {
    // The embedder's limits: bytes it would refuse (a decompression bomb) are not decoded for OCR either.
    return await library.ocr.read(bytes, library.model.imageLimits, async (text): Promise<TextOutcome> => {
      // Deleted or replaced while it waited: what was read belongs to no indexed image.
      if (hash === undefined || library.get(collection, id)?.contentHash !== hash) return 'not-needed';
      await library.words.setImageText(collection, id, text);
      log.debug({ characters: text.length }, 'image text read');
      return 'read';
    });
  } catch (error) {
    if (error instanceof BacklogFullError || error instanceof SchedulerClosedError) {
      log.debug({ reason: error.message }, 'image text left for a later reindex');
      return 'left-for-later';
    }
    // The embedder accepted these bytes, so a refusal here is rare; a model error was logged once by the reader.
    if (error instanceof ImageRejectedError || error instanceof OcrModelError) {
      log.debug({ reason: error.message }, 'image text could not be read');
    } else {
      log.warn({ err: error }, 'reading the text of an image failed');
    }
    return 'failed';
  }
}
