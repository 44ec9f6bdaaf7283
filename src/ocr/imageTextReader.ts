/**
 * OCR as the engine's background service. Reading waits while foreground work (embedding)
 * runs, one image at a time, in a bounded backlog (IdleScheduler). The models are loaded on
 * the first read (~350 MB resident), so an engine with OCR off everywhere never loads them.
 * Which collections are read is asked on every image: OCR=on (or `--ocr`) for all of them, or
 * a per-server switch set with `setEnabled`.
 */
import type { ImageLimits } from '../embed/imagePreprocessor.js';
import { logger } from '../logger.js';
import { IdleScheduler } from './idleScheduler.js';
import { OcrEngine, type OcrOptions } from './ocrEngine.js';

export interface ImageTextReaderOptions {
  /** Whether images of a collection are read (default: none). */
  enabled?: (collection: string) => boolean;
  /**
   * Images waiting to be read (default 200: the backlog holds their bytes, ~60 MB of typical
   * memes). Past it, reading is refused with BacklogFullError; /reindex reads those later.
   */
  maxBacklog?: number;
  ocr?: OcrOptions;
}

export const DEFAULT_OCR_BACKLOG = 200;

export class ImageTextReader {
  private readonly scheduler: IdleScheduler;
  private enabled: (collection: string) => boolean;
  private engine: Promise<OcrEngine> | undefined;

  constructor(private readonly options: ImageTextReaderOptions = {}) {
    this.scheduler = new IdleScheduler({ maxBacklog: options.maxBacklog ?? DEFAULT_OCR_BACKLOG });
    this.enabled = options.enabled ?? (() => false);
  }

  /** Whether images of this collection are read. */
  isOn(collection: string): boolean {
    return this.enabled(collection);
  }

  /** Chooses which collections are read from now on (the per-server setting). */
  setEnabled(enabled: (collection: string) => boolean): void {
    this.enabled = enabled;
  }

  /** Runs work that must not wait for OCR (embedding); no OCR starts while it runs. */
  foreground<T>(work: () => Promise<T>): Promise<T> {
    return this.scheduler.foreground(work);
  }

  /**
   * Reads the text in an image when the foreground is idle (lines joined by newlines, '' for
   * none) and hands it to `use`, in the same background task, so that close() waits for what
   * `use` stores. `limits` are the embedding model's (`model.imageLimits`): an image the
   * embedder would refuse is never decoded here. Rejects with BacklogFullError when the backlog
   * is full, SchedulerClosedError once closed, ImageRejectedError for what cannot be decoded or
   * is over the limits, OcrModelError when the models cannot load.
   */
  read<T>(bytes: Uint8Array, limits: ImageLimits, use: (text: string) => Promise<T>): Promise<T> {
    return this.scheduler.background(async () => use((await (await this.loadedEngine()).read(bytes, limits)).text));
  }

  /** Images waiting to be read, and how many may wait. */
  get backlog(): { waiting: number; limit: number } {
    return { waiting: this.scheduler.backlog, limit: this.scheduler.backlogLimit };
  }

  /** Resolves when the backlog next shrinks (or on close): for producers that wait for room. */
  backlogShrinks(): Promise<void> {
    return this.scheduler.nextTaskStart();
  }

  /** Resolves when nothing is waiting or being read. */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** Drops what waits (a later /reindex or `index --ocr` reads it), lets the image being read finish, unloads the models. */
  async close(): Promise<void> {
    this.scheduler.close();
    await this.scheduler.idle();
    const engine = await this.engine?.catch(() => undefined);
    this.engine = undefined;
    await engine?.dispose();
  }

  private loadedEngine(): Promise<OcrEngine> {
    this.engine ??= OcrEngine.create(this.options.ocr).catch((error: unknown) => {
      // Logged once; every later read is refused with the same error.
      logger.error({ err: error }, 'OCR is unavailable: images are indexed without the text in them');
      throw error;
    });
    return this.engine;
  }
}
