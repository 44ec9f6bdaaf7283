/**
 * `image-search eval --captions FILE`: how well the current index finds known images.
 * FILE has one `path<TAB>query` a line (paths relative to FILE's folder; blank lines
 * and lines starting with # are skipped). Every query is ranked in each match mode and
 * the image it names is looked for in the top 10: Recall@1, @5, @10 and MRR@10
 * (the mean of 1/rank, 0 when not in the top 10).
 */
import path from 'node:path';
import { MATCH_MODES, type MatchMode } from './rankFusion.js';

export interface Caption {
  /** Absolute path of the image (the CLI's record id). */
  file: string;
  query: string;
}

/** A captions file that cannot be used as written; the message names the line. */
export class CaptionsFormatError extends Error {
  override readonly name = 'CaptionsFormatError';
}

export const EVAL_DEPTH = 10;

export function parseCaptions(text: string, captionsFile: string): Caption[] {
  const folder = path.dirname(path.resolve(captionsFile));
  const captions: Caption[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    const file = tab < 0 ? '' : line.slice(0, tab).trim();
    const query = tab < 0 ? '' : line.slice(tab + 1).trim();
    if (file === '' || query === '') {
      throw new CaptionsFormatError(`${captionsFile} line ${i + 1}: expected "path<TAB>query", got ${JSON.stringify(line.slice(0, 80))}`);
    }
    captions.push({ file: path.resolve(folder, file), query });
  });
  if (captions.length === 0) throw new CaptionsFormatError(`${captionsFile} holds no "path<TAB>query" lines`);
  return captions;
}

/** Ids of the best matches for a query, best first (at least the top 10 when there are that many). */
export type Ranker = (query: string) => Promise<readonly string[]>;

export interface ModeMetrics {
  mode: MatchMode;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
}

export interface EvalReport {
  queries: number;
  metrics: ModeMetrics[];
  /** Captioned files that are not in the index (each counts as a miss). */
  notIndexed: string[];
}

export async function evaluateCaptions(
  captions: readonly Caption[],
  rankers: Record<MatchMode, Ranker>,
  isIndexed: (file: string) => boolean,
): Promise<EvalReport> {
  const metrics: ModeMetrics[] = [];
  for (const mode of MATCH_MODES) {
    let at1 = 0,
      at5 = 0,
      at10 = 0,
      reciprocal = 0;
    for (const caption of captions) {
      const rank = (await rankers[mode](caption.query)).slice(0, EVAL_DEPTH).indexOf(caption.file) + 1;
      if (rank === 0) continue;
      if (rank <= 1) at1++;
      if (rank <= 5) at5++;
      at10++;
      reciprocal += 1 / rank;
    }
    const n = captions.length;
    metrics.push({ mode, recallAt1: at1 / n, recallAt5: at5 / n, recallAt10: at10 / n, mrr: reciprocal / n });
  }
  const notIndexed = [...new Set(captions.map((c) => c.file).filter((file) => !isIndexed(file)))];
  return { queries: captions.length, metrics, notIndexed };
}

/** The documented table, then `RESULT eval.recall_at_1 <both>`. */
export function formatEvalReport(report: EvalReport): string {
  const lines = [
    `${report.queries} queries`,
    '',
    '| match | Recall@1 | Recall@5 | Recall@10 | MRR@10 |',
    '| --- | --- | --- | --- | --- |',
    ...report.metrics.map(
      (m) => `| ${m.mode} | ${m.recallAt1.toFixed(3)} | ${m.recallAt5.toFixed(3)} | ${m.recallAt10.toFixed(3)} | ${m.mrr.toFixed(3)} |`,
    ),
  ];
  if (report.notIndexed.length > 0) {
    const shown = report.notIndexed.slice(0, 5).join(', ');
    lines.push(
      '',
      `${report.notIndexed.length} captioned file(s) are not in the index (counted as misses): ${shown}${report.notIndexed.length > 5 ? ', …' : ''}`,
    );
  }
  const both = report.metrics.find((m) => m.mode === 'both');
  lines.push('', `RESULT eval.recall_at_1 ${(both?.recallAt1 ?? 0).toFixed(3)}`);
  return lines.join('\n');
}
