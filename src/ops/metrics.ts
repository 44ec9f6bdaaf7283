import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestOutcome } from '../ingest/ingestQueue.js';

/** Every metric of the bot (and Node's process metrics) is named with this prefix. */
export const METRIC_PREFIX = 'imagebot_';

export type QueryKind = 'text' | 'image';

/** Values read when Prometheus scrapes, rather than pushed as they change. */
export interface ScrapeReading {
  imagesIndexed: number;
  queueDepth: number;
}

// A record (not an array) so the compiler flags an outcome added to IngestOutcome but not here.
const INGEST_OUTCOMES: Record<IngestOutcome, true> = {
  indexed: true,
  updated: true,
  unchanged: true,
  'already-indexed': true,
  failed: true,
};
const QUERY_KINDS: readonly QueryKind[] = ['text', 'image'];
/** Error kinds the bot reports; exported at 0 from the start so rate() and alerts see them before the first error. */
const COMMON_ERROR_KINDS = ['ingest', 'interaction', 'gateway', 'store'] as const;

/** From 1 ms (an index hit on a warm cache) to 5 s (a slow image download plus encode). */
const QUERY_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The bot's Prometheus metrics, in a registry of their own (not prom-client's global
 * one), so that each test, or each process, gets a fresh, independent set.
 */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly ingested: Counter<'outcome'>;
  private readonly imagesIndexed: Gauge;
  private readonly queueDepth: Gauge;
  private readonly queryDuration: Histogram<'kind'>;
  private readonly errors: Counter<'kind'>;
  private readonly rechecked: Counter<'outcome'>;
  private readonly recheckOldest: Gauge;
  private readScrape: (() => ScrapeReading) | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });

    this.ingested = new Counter({
      name: `${METRIC_PREFIX}images_ingested_total`,
      help: 'Images that went through ingest, by outcome (the ingest rate is rate() of this).',
      labelNames: ['outcome'],
      registers,
    });
    this.imagesIndexed = this.scrapedGauge('images_indexed', 'Images in the search index.', 'imagesIndexed');
    this.queueDepth = this.scrapedGauge('ingest_queue_depth', 'Images queued or being indexed.', 'queueDepth');
    this.queryDuration = new Histogram({
      name: `${METRIC_PREFIX}search_query_duration_seconds`,
      help: 'Time to answer a search, by kind of query.',
      labelNames: ['kind'],
      buckets: QUERY_SECONDS_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: `${METRIC_PREFIX}errors_total`,
      help: 'Errors, by the part of the bot where they happened.',
      labelNames: ['kind'],
      registers,
    });

    this.rechecked = new Counter({
      name: `${METRIC_PREFIX}recheck_messages_total`,
      help: 'Indexed messages read again by the background re-check, by outcome (present or deleted).',
      labelNames: ['outcome'],
      registers,
    });
    this.recheckOldest = new Gauge({
      name: `${METRIC_PREFIX}recheck_oldest_seconds`,
      help: 'Seconds since the least recently re-checked indexed message was last read (or since start, if never); stays below RECHECK_PERIOD_HOURS when the re-check keeps up.',
      registers,
    });

    for (const outcome of Object.keys(INGEST_OUTCOMES)) this.ingested.inc({ outcome }, 0);
    for (const outcome of ['present', 'deleted']) this.rechecked.inc({ outcome }, 0);
    for (const kind of QUERY_KINDS) this.queryDuration.zero({ kind });
    for (const kind of COMMON_ERROR_KINDS) this.errors.inc({ kind }, 0);
  }

  imageIndexed(outcome: IngestOutcome): void {
    this.ingested.inc({ outcome });
  }

  /** Ignored at scrape time if onScrape() has given a reader. */
  setImagesIndexed(total: number): void {
    this.imagesIndexed.set(total);
  }

  /** Ignored at scrape time if onScrape() has given a reader. */
  setQueueDepth(depth: number): void {
    this.queueDepth.set(depth);
  }

  observeQuery(kind: QueryKind, seconds: number): void {
    // A NaN or negative duration would corrupt the histogram's sum for good.
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.queryDuration.observe({ kind }, seconds);
  }

  recheckRead(present: number, deleted: number): void {
    this.rechecked.inc({ outcome: 'present' }, present);
    this.rechecked.inc({ outcome: 'deleted' }, deleted);
  }

  setRecheckOldestSeconds(seconds: number): void {
    this.recheckOldest.set(seconds);
  }

  /** kind must come from a small fixed set (e.g. 'ingest', 'gateway'), never from an error message: each value is a time series. */
  error(kind: string): void {
    this.errors.inc({ kind });
  }

  /** Gauges read at scrape time instead of pushed; replaces any earlier reader. */
  onScrape(read: () => ScrapeReading): void {
    this.readScrape = read;
  }

  /** Prometheus text exposition of every metric. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A gauge set by its setter, or read from onScrape()'s reader at each scrape once there is one. */
  private scrapedGauge(name: string, help: string, field: keyof ScrapeReading): Gauge {
    const readAtScrape = () => this.readAtScrape();
    return new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers: [this.registry],
      collect() {
        const reading = readAtScrape();
        if (reading !== undefined) this.set(reading[field]);
      },
    });
  }

  private readAtScrape(): ScrapeReading | undefined {
    if (this.readScrape === undefined) return undefined;
    try {
      return this.readScrape();
    } catch {
      // A failing reader must not take the whole scrape down: keep the last values, count it.
      this.errors.inc({ kind: 'metrics' });
      return undefined;
    }
  }
}
