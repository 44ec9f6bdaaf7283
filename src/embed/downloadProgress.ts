import { SingleBar, Presets } from 'cli-progress';
import { logger } from '../logger.js';

/** How a downloaded file was checked against the hash the hub publishes. */
export type FileVerification = 'sha256' | 'git-sha1' | 'none';

/**
 * What the downloader reports while fetching one file. `bytesDone` counts the bytes on disk,
 * so a resumed file starts above zero; `bytesTotal` is undefined when neither the hub listing
 * nor the response says how large the file is.
 */
export type DownloadProgressEvent =
  | { phase: 'start'; file: string; url: string; bytesDone: number; bytesTotal: number | undefined }
  | { phase: 'advance'; file: string; bytesDone: number; bytesTotal: number | undefined }
  | {
      phase: 'finish';
      file: string;
      bytesDone: number;
      bytesTotal: number;
      seconds: number;
      verification: FileVerification;
    }
  | { phase: 'fail'; file: string; bytesDone: number; error: Error };

export type DownloadProgressListener = (event: DownloadProgressEvent) => void;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** One log line per finished file: for logs, CI, and anything that is not a terminal. */
export function createLogLineReporter(): DownloadProgressListener {
  return (event) => {
    if (event.phase === 'finish') {
      logger.info(
        { file: event.file, bytes: event.bytesTotal, seconds: Number(event.seconds.toFixed(1)), verification: event.verification },
        `downloaded ${event.file} (${formatBytes(event.bytesTotal)} in ${event.seconds.toFixed(1)} s)`,
      );
    }
  };
}

/** A progress bar per file (bytes, rate, ETA) drawn on the given terminal stream. */
export function createProgressBarReporter(stream: NodeJS.WritableStream = process.stderr): DownloadProgressListener {
  let bar: SingleBar | undefined;
  let startedAt = 0;
  let startBytes = 0;
  const rate = (bytesDone: number): string => {
    const seconds = (Date.now() - startedAt) / 1000;
    return seconds > 0 ? `${formatBytes((bytesDone - startBytes) / seconds)}/s` : '-';
  };
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return (event) => {
    switch (event.phase) {
      case 'start':
        stop();
        startedAt = Date.now();
        startBytes = event.bytesDone;
        bar = new SingleBar(
          {
            stream,
            format: `{file} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {eta_formatted}`,
            formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatBytes(value) : String(value)),
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        // Unknown size: the bar's total is the bytes seen so far, so it still shows bytes and rate.
        bar.start(event.bytesTotal ?? event.bytesDone, event.bytesDone, { file: event.file, rate: '-' });
        break;
      case 'advance':
        if (event.bytesTotal === undefined) bar?.setTotal(event.bytesDone);
        bar?.update(event.bytesDone, { rate: rate(event.bytesDone) });
        break;
      case 'finish':
        bar?.setTotal(event.bytesTotal);
        bar?.update(event.bytesTotal, { rate: rate(event.bytesTotal) });
        stop();
        break;
      case 'fail':
        stop();
        break;
    }
  };
}

/** The reporter to use when the caller supplies none: a bar on a terminal, log lines otherwise. */
export function createDefaultProgressReporter(interactive: boolean): DownloadProgressListener {
  return interactive ? createProgressBarReporter() : createLogLineReporter();
}
