/** Precision and recall of a yes/no decision over labelled pairs (the repost benchmarks). */
export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** 1 when nothing was said to be a pair. */
  precision: number;
  recall: number;
}

export function score<P extends { positive: boolean }>(pairs: readonly P[], decide: (pair: P) => boolean): Score {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const pair of pairs) {
    const said = decide(pair);
    if (said && pair.positive) truePositives++;
    else if (said) falsePositives++;
    else if (pair.positive) falseNegatives++;
  }
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  return { truePositives, falsePositives, falseNegatives, precision, recall: truePositives / (truePositives + falseNegatives) };
}

/** A score as table cells: TP, FP, FN, precision, recall. */
export const scoreCells = (s: Score) => [s.truePositives, s.falsePositives, s.falseNegatives, s.precision.toFixed(3), s.recall.toFixed(3)];
