import cliProgress from 'cli-progress';
import { logger } from './logger.js';

export interface Progress {
  /** Adds to the count done and, optionally, updates the labelled counters shown beside it. */
  advance(by: number, counters?: Record<string, number>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * Progress of a long job: a live bar with rate and ETA on a terminal (stderr), or a
 * log line every few seconds when output goes to a file or a service log. A total of 0
 * means not known (yet): then only the count and rate are shown, and nothing at all
 * until something is counted — an empty store shows no bar.
 */
export function startProgress(label: string, total: number, options: { tty?: boolean; stream?: NodeJS.WritableStream } = {}): Progress {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  return tty ? new TerminalBar(label, total, options.stream ?? process.stderr) : new LoggedProgress(label, total);
}

class TerminalBar implements Progress {
  /** Drawn from the first count (or known total) on, so that nothing shows for nothing. */
  private bar: cliProgress.SingleBar | undefined;
  private done = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: NodeJS.WritableStream,
  ) {}

  advance(by: number, counters?: Record<string, number>): void {
    this.done += by;
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    this.draw().update(this.done, { rate: (this.done / seconds).toFixed(1), counters: formatCounters(counters) });
  }

  setTotal(total: number): void {
    this.total = total;
    if (total > 0) this.draw().setTotal(total);
  }

  stop(): void {
    this.bar?.stop();
  }

  private draw(): cliProgress.SingleBar {
    if (this.bar !== undefined) return this.bar;
    const counted = this.total > 0 ? '[{bar}] {value}/{total} {percentage}% | {rate}/s | ETA {eta_formatted}' : '{value} | {rate}/s';
    this.bar = new cliProgress.SingleBar(
      { format: `${this.label} ${counted} {counters}`, stream: this.stream, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.total, this.done, { rate: '0.0', counters: '' });
    return this.bar;
  }
}

class LoggedProgress implements Progress {
  private done = 0;
  private lastLog = Date.now();
  private readonly startedAt = Date.now();
  private counters: Record<string, number> | undefined;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly everyMs = 5000,
  ) {}

  advance(by: number, counters?: Record<string, number>): void {
    this.done += by;
    this.counters = counters ?? this.counters;
    if (Date.now() - this.lastLog >= this.everyMs) this.log();
  }

  setTotal(total: number): void {
    this.total = total;
  }

  stop(): void {
    if (this.done > 0 || this.total > 0) this.log();
  }

  private log(): void {
    this.lastLog = Date.now();
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const rate = this.done / seconds;
    const known = this.total > 0;
    const etaSeconds = known && rate > 0 ? Math.round((this.total - this.done) / rate) : undefined;
    logger.info(
      { done: this.done, total: known ? this.total : undefined, ratePerSecond: Number(rate.toFixed(1)), etaSeconds, ...this.counters },
      this.label,
    );
  }
}

function formatCounters(counters: Record<string, number> | undefined): string {
  if (counters === undefined) return '';
  return Object.entries(counters)
    .map(([name, value]) => `${name} ${value}`)
    .join(' · ');
}
