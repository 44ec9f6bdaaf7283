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
 * log line every few seconds when output goes to a file or a service log.
 */
export function startProgress(label: string, total: number, options: { tty?: boolean } = {}): Progress {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  return tty ? new TerminalBar(label, total) : new LoggedProgress(label, total);
}

class TerminalBar implements Progress {
  private readonly bar: cliProgress.SingleBar;

  constructor(label: string, total: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} {percentage}% | {rate}/s | ETA {eta_formatted} {counters}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.startedAt = Date.now();
    this.bar.start(total, 0, { rate: '0.0', counters: '' });
  }

  private readonly startedAt: number;

  advance(by: number, counters?: Record<string, number>): void {
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const done = this.bar.getProgress() * this.bar.getTotal() + by;
    this.bar.increment(by, { rate: (done / seconds).toFixed(1), counters: formatCounters(counters) });
  }

  setTotal(total: number): void {
    this.bar.setTotal(total);
  }

  stop(): void {
    this.bar.stop();
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
    this.log();
  }

  private log(): void {
    this.lastLog = Date.now();
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const rate = this.done / seconds;
    const etaSeconds = rate > 0 ? Math.round((this.total - this.done) / rate) : undefined;
    logger.info(
      { done: this.done, total: this.total, ratePerSecond: Number(rate.toFixed(1)), etaSeconds, ...this.counters },
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
