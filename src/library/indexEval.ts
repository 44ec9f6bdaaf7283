/**
 * `eval --captions FILE` against a loaded library: every query ranked in each match mode
 * exactly as `find` ranks it, then the report of captionEval.ts. Nothing is indexed.
 */
import { EVAL_DEPTH, evaluateCaptions, formatEvalReport, parseCaptions, type Ranker } from '../search/captionEval.js';
import { MATCH_MODES, type MatchMode } from '../search/rankFusion.js';
import type { ImageLibrary } from './imageLibrary.js';

/** The report for a captions file's text; CaptionsFormatError when it cannot be used as written. */
export async function evaluateIndex(
  library: ImageLibrary,
  collection: string,
  captionsFile: string,
  captionsText: string,
): Promise<string> {
  const captions = parseCaptions(captionsText, captionsFile);
  // Each query is embedded once, for both modes that rank by meaning.
  const vectors = new Map<string, Promise<Float32Array>>();
  const vectorOf = (query: string): Promise<Float32Array> => {
    let vector = vectors.get(query);
    if (vector === undefined) vectors.set(query, (vector = library.model.embedText(query)));
    return vector;
  };
  const rankerFor =
    (mode: MatchMode): Ranker =>
    async (query) => {
      const vector = mode === 'words' ? undefined : await vectorOf(query);
      const hits = await library.search(collection, { text: query, ...(vector === undefined ? {} : { vector }), mode, limit: EVAL_DEPTH });
      return hits.map((hit) => hit.image.id);
    };
  const rankers = Object.fromEntries(MATCH_MODES.map((mode) => [mode, rankerFor(mode)])) as Record<MatchMode, Ranker>;
  const report = await evaluateCaptions(captions, rankers, (file) => library.has(collection, file));
  return formatEvalReport(report);
}
