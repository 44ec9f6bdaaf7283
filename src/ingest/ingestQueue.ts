import { ImageRejectedError, type ImageRejectionReason } from '../embed/imageErrors.js';
import { ImageFetchError, type ImageFetchFailure } from '../fetch/imageFetcher.js';
import { logger } from '../logger.js';
import { isStoreUnavailable } from '../store/storeUnavailable.js';
import { untilStored } from './untilStored.js';
import type { ImageLibrary, ImageOrigin } from '../library/imageLibrary.js';
import { describeImage, indexImage, needsReading, readImageText, type SurroundingWords, type TextOutcome } from './imageIndexing.js';

/** One image to index: where it came from and where its bytes are. */
export interface IngestJob {
  origin: ImageOrigin;
  url: string;
  /** Why this image is refused unread (e.g. an SVG): recorded as a failure, never downloaded. */
  refusal?: ImageRejectedError;
  /** The words around it (message text, file name, alt text), indexed with it; an edit brings them again. */
  words: SurroundingWords;
}

/** A queued image: to embed (and read, if OCR is on), or, already embedded, only to read. */
interface QueuedJob {
  job: IngestJob;
  textOnly: boolean;
  /** It will be handed to OCR: counted against OCR's backlog by waitForRoom. */
  forText: boolean;
  done: (outcome: IngestOutcome) => void;
  /** Given back unindexed: the store was unavailable when the queue closed. */
  givenBack: (error: unknown) => void;
}

export type IngestOutcome = 'indexed' | 'updated' | 'unchanged' | 'already-indexed' | 'failed';

/** What kind of problem kept an image out: the image's own, or (`internal`) the bot's. */
export type IngestProblem = ImageFetchFailure | ImageRejectionReason | 'internal';

export interface IngestFailure {
  id: string;
  channelId: string;
  messageId: string;
  /** A sentence fit to show (in English); never the text of an internal error, which goes to the log. */
  reason: string;
  problem: IngestProblem;
  at: number;
}

export interface IngestQueueOptions {
  concurrency: number;
  /** Producers that can wait (history walks) are held back past this many queued images. */
  queueLimit: number;
  maxAttempts: number;
  retryDelayMs?: number;
  /** The longest pause between two tries of a store write while the store is unavailable (default 30 s). */
  storeRetryMaxDelayMs?: number;
}

const STORE_RETRY_MAX_DELAY_MS = 30_000;

export interface IngestObserver {
  /**
   * Persists a failure so it survives restarts (shown by /stats). Called for one failure at a
   * time, in order, so it may read, change and write what it keeps.
   */
  onFailure?: (collection: string, failure: IngestFailure) => Promise<void>;
  /** Every finished image, for metrics. */
  onOutcome?: (outcome: IngestOutcome) => void;
}

/**
 * Between Discord and the encoder: bounded concurrency, backpressure for history
 * walks, bounded retries of transient faults, and a record of every image that
 * could not be indexed (never dropped silently). Each image is indexed as
 * imageIndexing.ts says; OCR is handed the bytes and runs in the background, so a
 * download slot is never held while an image waits to be read.
 *
 * While the store is unavailable an image is not given up: its store write is tried again,
 * with pauses doubling up to a limit, until the store answers. Only closing the queue ends
 * the wait; the image is then given back (its enqueue rejects), so that its message stays
 * unread below the channel's cursor and the next start reads it again.
 */
export class IngestQueue {
  private readonly waiting: QueuedJob[] = [];
  private active = 0;
  /** Jobs queued or running that will hand an image to OCR. */
  private forText = 0;
  /** Refusals being recorded (they take no download slot, but are work in progress). */
  private refusing = 0;
  /** Images queued or being indexed, by collection. */
  private readonly depths = new Map<string, number>();
  private readonly roomWaiters = new Set<() => void>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly failuresByCollection = new Map<string, { count: number; recent: IngestFailure[] }>();
  /** The outcome to come of every image queued or being indexed, and when it was queued, by `inFlightKey` (oldest first). */
  private readonly inFlight = new Map<string, { outcome: Promise<IngestOutcome>; queuedAt: number }>();
  /** Images handed to OCR and not read yet, by collection and id. */
  private readonly reading = new Map<string, Promise<TextOutcome>>();
  private closed = false;
  /** Aborted when shutting down: no more waiting for the store. */
  private readonly closing = new AbortController();
  /** Images whose store write waits for the store to answer again. */
  private storeWaits = 0;
  /** The observer's failure writes, one after another (see IngestObserver.onFailure). */
  private failureWrites: Promise<void> = Promise.resolve();
  lastError: { at: number; message: string } | undefined;

  constructor(
    private readonly library: ImageLibrary,
    private readonly download: (url: string) => Promise<Uint8Array>,
    private readonly options: IngestQueueOptions,
    private readonly observer: IngestObserver = {},
  ) {}

  /** Images queued or being indexed. */
  get depth(): number {
    return this.waiting.length + this.active + this.refusing;
  }

  /** Images held until the store answers again (their store write failed: it is unavailable). */
  get waitingForStore(): number {
    return this.storeWaits;
  }

  /** Images of one collection queued or being indexed. */
  depthOf(collection: string): number {
    return this.depths.get(collection) ?? 0;
  }

  /** When the image queued longest ago, of those still queued or being indexed, was queued (Date.now()); undefined when none is. */
  oldestQueuedAt(): number | undefined {
    for (const { queuedAt } of this.inFlight.values()) return queuedAt;
    return undefined;
  }

  /**
   * Queues an image; resolves when it is indexed, skipped or recorded as failed (reading its
   * text, if due, goes on in the background). An image already indexed only has its words
   * brought up to date (a message edit), and is downloaded again only if OCR has yet to read it.
   */
  enqueue(job: IngestJob): Promise<IngestOutcome> {
    if (this.closed) return Promise.reject(new Error('ingest is shutting down'));
    if (job.refusal !== undefined) return this.refuse(job, describe(job.refusal));
    // An image indexed before perceptual hashes goes through addImage again, to be hashed (not re-embedded).
    const { collection, id } = job.origin;
    const textOnly = this.library.isComplete(collection, id);
    // The same image asked for again while it is still queued or being indexed (a catch-up re-reading
    // messages that live events brought in, an edit): it is downloaded, embedded and stored once,
    // then given the words this later sighting brings.
    const key = inFlightKey(job);
    const queued = this.inFlight.get(key)?.outcome;
    if (queued !== undefined) return queued.then((outcome) => (outcome === 'failed' ? 'failed' : this.updateWords(job)));
    if (textOnly && !needsReading(this.library, collection, id)) return this.updateWords(job);
    const forText = this.library.ocr.isOn(collection);
    this.depths.set(collection, this.depthOf(collection) + 1);
    if (forText) this.forText++;
    const outcome = new Promise<IngestOutcome>((resolve, reject) => {
      this.waiting.push({ job, textOnly, forText, done: resolve, givenBack: reject });
      this.pump();
    });
    this.inFlight.set(key, { outcome, queuedAt: Date.now() });
    const settled = (): void => {
      this.inFlight.delete(key);
      if (forText) this.forText--;
      const depth = this.depthOf(collection) - 1;
      if (depth > 0) this.depths.set(collection, depth);
      else this.depths.delete(collection);
      this.notify();
    };
    outcome.then(settled, settled);
    return outcome;
  }

  /**
   * Resolves once the queue has room, and OCR has room for what is on its way to it (history
   * walks await this before reading more, so a /reindex with OCR on goes at OCR's pace and
   * leaves nothing unread; live images never wait, and past OCR's backlog are left for a reindex).
   */
  async waitForRoom(): Promise<void> {
    while (this.isFull()) await this.roomMayChange();
  }

  private isFull(): boolean {
    return this.waiting.length >= this.options.queueLimit || this.ocrIsFull();
  }

  private ocrIsFull(): boolean {
    const ocr = this.library.ocr.backlog;
    return ocr.waiting + this.forText >= ocr.limit;
  }

  /** Resolves when there may be room: an image was handled, or OCR took the next one. */
  private roomMayChange(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.roomWaiters.delete(wake);
        resolve();
      };
      this.roomWaiters.add(wake);
      if (this.ocrIsFull()) void this.library.ocr.backlogShrinks().then(wake);
    });
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.depth > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking new work and waits for what was accepted to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWaitingForStore();
    await this.idle();
  }

  /**
   * Shutting down: images waiting for the store are given back now, and any that finds it
   * unavailable from now on (the rest of the queue still runs until close).
   */
  stopWaitingForStore(): void {
    this.closing.abort();
  }

  /**
   * Resolves once the text of an image this queue handed to OCR is stored, or given up (at once
   * when none is being read): what the repost check waits for before it trusts the pixels alone.
   */
  async textRead(collection: string, id: string): Promise<void> {
    await this.reading.get(`${collection}\n${id}`);
  }

  failures(collection: string): { count: number; recent: readonly IngestFailure[] } {
    return this.failuresByCollection.get(collection) ?? { count: 0, recent: [] };
  }

  private async refuse(job: IngestJob, why: FailureReason): Promise<IngestOutcome> {
    this.refusing++;
    try {
      await this.recordFailure(job, why);
    } finally {
      this.refusing--;
      this.notify();
    }
    this.observer.onOutcome?.('failed');
    return 'failed';
  }

  /** An indexed image seen again: its words as they are now (one small write when they changed). */
  private async updateWords(job: IngestJob): Promise<IngestOutcome> {
    try {
      await describeImage(this.library, job.origin.collection, job.origin.id, job.words, { imageChanged: false });
    } catch (error) {
      logger.warn({ err: error, guildId: job.origin.collection, imageId: job.origin.id }, 'could not update the words of an image');
    }
    return this.alreadyIndexed();
  }

  private alreadyIndexed(): IngestOutcome {
    this.observer.onOutcome?.('already-indexed');
    return 'already-indexed';
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.active++;
      void this.run(next).then(
        (outcome) => {
          this.active--;
          this.observer.onOutcome?.(outcome);
          next.done(outcome);
          this.pump();
          this.notify();
        },
        (error: unknown) => {
          this.active--;
          next.givenBack(error);
          this.pump();
          this.notify();
        },
      );
    }
    this.notify();
  }

  private notify(): void {
    if (!this.isFull()) for (const wake of [...this.roomWaiters]) wake();
    if (this.depth === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async run({ job, textOnly }: QueuedJob): Promise<IngestOutcome> {
    const { collection, id } = job.origin;
    const log = logger.child({ guildId: collection, channelId: job.origin.channelId, imageId: id });
    for (let attempt = 1; ; attempt++) {
      try {
        const bytes = await this.download(job.url);
        const outcome = await untilStored(
          async (): Promise<IngestOutcome> => {
            if (!textOnly) return indexImage(this.library, job.origin, bytes, job.words);
            await describeImage(this.library, collection, id, job.words, { imageChanged: false });
            return 'already-indexed';
          },
          {
            firstPauseMs: this.options.retryDelayMs ?? 500,
            maxPauseMs: this.options.storeRetryMaxDelayMs ?? STORE_RETRY_MAX_DELAY_MS,
            closing: this.closing.signal,
            onWait: (waiting) => {
              this.storeWaits += waiting ? 1 : -1;
              if (waiting) log.debug('the store is unavailable; the image waits for it');
            },
          },
        );
        // Not awaited: the slot is free for the next image while this one waits for OCR.
        this.startReading(collection, id, bytes);
        return outcome;
      } catch (error) {
        // The store stayed unavailable until the queue closed: given back, not recorded as failed.
        if (isStoreUnavailable(error)) throw error;
        const permanent = isPermanent(error);
        if (permanent || attempt >= this.options.maxAttempts) {
          if (!permanent) log.warn({ err: error, attempts: attempt }, 'image failed after retries');
          await this.recordFailure(job, describe(error));
          return 'failed';
        }
        await sleep((this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1));
      }
    }
  }

  private startReading(collection: string, id: string, bytes: Uint8Array): void {
    const key = `${collection}\n${id}`;
    const reading = readImageText(this.library, collection, id, bytes);
    this.reading.set(key, reading);
    void reading.then(() => {
      if (this.reading.get(key) === reading) this.reading.delete(key);
    });
  }

  private async recordFailure(job: IngestJob, { reason, problem }: FailureReason): Promise<void> {
    const failure: IngestFailure = {
      id: job.origin.id,
      channelId: job.origin.channelId,
      messageId: job.origin.messageId,
      reason,
      problem,
      at: Date.now(),
    };
    const entry = this.failuresByCollection.get(job.origin.collection) ?? { count: 0, recent: [] };
    entry.count++;
    entry.recent = [failure, ...entry.recent].slice(0, 20);
    this.failuresByCollection.set(job.origin.collection, entry);
    this.lastError = { at: failure.at, message: reason };
    const write = this.failureWrites.then(() => this.observer.onFailure?.(job.origin.collection, failure));
    this.failureWrites = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      logger.error({ err: error, guildId: job.origin.collection }, 'could not record an ingest failure');
    }
  }
}

/**
 * One image: its collection, record id and address without the query (Discord re-signs CDN
 * URLs, so the same file comes with different signatures; an edited embed has another path).
 */
function inFlightKey(job: IngestJob): string {
  const queryAt = job.url.indexOf('?');
  return `${job.origin.collection}\n${job.origin.id}\n${queryAt === -1 ? job.url : job.url.slice(0, queryAt)}`;
}

/** Bad input never gets better by retrying; network and server faults may. */
function isPermanent(error: unknown): boolean {
  if (error instanceof ImageRejectedError) return true;
  if (error instanceof ImageFetchError) {
    if (error.reason === 'timeout' || error.reason === 'unreachable') return false;
    if (error.reason === 'http-status') return error.status !== undefined && error.status < 500 && error.status !== 429;
    return true;
  }
  return false;
}

type FailureReason = Pick<IngestFailure, 'reason' | 'problem'>;

/** The image's own problem in words fit to show; anything else is the bot's, told only in the log (run logs it). */
function describe(error: unknown): FailureReason {
  if (error instanceof ImageRejectedError || error instanceof ImageFetchError) return { reason: error.message, problem: error.reason };
  return { reason: 'an internal error (the details are in the log)', problem: 'internal' };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
