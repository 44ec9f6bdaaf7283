/**
 * `image-search duplicates [folder] [--json] [--max-distance N] [--min-similarity X]`: groups of
 * near-copies among the indexed files (the same store and model as `find`), largest group first.
 *
 * stdout holds the groups and nothing else, so scripts can read it: as text, one path per line
 * and a blank line between groups; with --json, one JSON array of groups, each an array of
 * absolute paths. What a person should know besides (images left out, how to fill them in) goes
 * to stderr.
 *
 * The decision is the repost decision (src/reposts/README.md): hashes compared as they are and as
 * mirror images, and, for files indexed with --ocr, their words must agree, so two captions on
 * one meme template are not copies of each other (without --ocr they are taken for copies).
 */
import path from 'node:path';
import type { ImageLibrary } from '../library/imageLibrary.js';
import { LOCAL_COLLECTION } from '../library/folderIndexer.js';
import { HASH_BITS, type RepostThresholds } from '../reposts/repostMatcher.js';
import type { SearchFilter } from '../search/vectorFilter.js';
import { UsageError } from './usageError.js';

export interface DuplicatesOptions {
  /** Only files under this folder; all indexed files when undefined. */
  folder: string | undefined;
  json: boolean;
  thresholds: RepostThresholds;
}

/** The threshold flags as typed (undefined: not given). */
export interface ThresholdFlags {
  'max-distance'?: string;
  'min-similarity'?: string;
  'hash-alone-distance'?: string;
}

/** The flags as typed, checked; the ones not given are left to the configuration. */
export function thresholdFlags(typed: ThresholdFlags): Partial<RepostThresholds> {
  const flags: Partial<RepostThresholds> = {};
  const maxDistance = typed['max-distance'];
  const minSimilarity = typed['min-similarity'];
  const hashAloneDistance = typed['hash-alone-distance'];
  if (maxDistance !== undefined) flags.maxDistance = hashBits('--max-distance', maxDistance);
  if (hashAloneDistance !== undefined) flags.hashAloneDistance = hashBits('--hash-alone-distance', hashAloneDistance);
  if (minSimilarity !== undefined) {
    const similarity = numberOrNaN(minSimilarity);
    if (!(similarity >= -1 && similarity <= 1)) {
      throw new UsageError(`--min-similarity must be a cosine similarity from -1 to 1 (such as 0.8), not "${minSimilarity}".`);
    }
    flags.minSimilarity = similarity;
  }
  return flags;
}

export function printDuplicates(
  library: ImageLibrary,
  options: DuplicatesOptions,
  out: (line: string) => void,
  note: (line: string) => void,
): void {
  const filter = options.folder === undefined ? undefined : folderFilter(library, path.resolve(options.folder));
  const groups = library.duplicateGroups(LOCAL_COLLECTION, options.thresholds, filter).map((group) => group.map((image) => image.source));
  if (options.json) out(JSON.stringify(groups));
  else if (groups.length > 0) out(groups.map((group) => group.join('\n')).join('\n\n'));

  const { images, otherModel } = library.statsOf(LOCAL_COLLECTION);
  const { maxDistance, minSimilarity, hashAloneDistance } = options.thresholds;
  note(
    `${groups.length} group(s) of near-copies (perceptual hashes at most ${maxDistance} bits apart, mirrored or not, and similarity at least ${minSimilarity}, ` +
      `or at most ${Math.min(hashAloneDistance, maxDistance)} bits apart; where --ocr read both, their words agree)` +
      (options.folder === undefined
        ? ` among ${images} indexed images`
        : ` among the indexed images under ${path.resolve(options.folder)}`),
  );
  if (images === 0 && otherModel === 0) note('no images indexed yet: run "image-search index <folder>" first');
  const unhashed = library.imagesWithoutHash(LOCAL_COLLECTION);
  if (unhashed > 0) {
    note(
      `${unhashed} indexed images have no perceptual hash yet and were left out: run "image-search index <folder>" again to hash them (nothing is re-embedded)`,
    );
  }
  if (otherModel > 0) {
    note(
      `${otherModel} images embedded by another model than ${library.model.label} were left out: run "image-search index <folder>" again to re-embed them`,
    );
  }
}

/** The indexed folders (the CLI's channels) at or under `root`. */
function folderFilter(library: ImageLibrary, root: string): SearchFilter {
  const under = root.endsWith(path.sep) ? root : root + path.sep;
  const folders = [...library.imagesPerChannel(LOCAL_COLLECTION).keys()].filter((folder) => folder === root || folder.startsWith(under));
  return { channelIds: new Set(folders) };
}

function hashBits(flag: string, typed: string): number {
  const bits = numberOrNaN(typed);
  if (!Number.isInteger(bits) || bits < 0 || bits > HASH_BITS) {
    throw new UsageError(`${flag} must be a whole number of bits from 0 to ${HASH_BITS}, not "${typed}".`);
  }
  return bits;
}

/** Number() reads "" and " " as 0; a flag given empty is a mistake, not zero. */
function numberOrNaN(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}
