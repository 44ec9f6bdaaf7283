/**
 * Groups of near-duplicates among a set of images (what `image-search duplicates` prints).
 *
 * Two images are near-duplicates when the repost decision holds between them (repostMatcher.ts).
 * That relation is not transitive, and grouping by connected components lets chains merge
 * unrelated pictures: a crop of a copy of a crop, or one busy meme template that is close to
 * several others, pulls everything it touches into one group. So the groups are stars (Aslam,
 * Pelekhov and Rus, "The Star Clustering Algorithm", JGAA 8(2), 2004): images are taken in order
 * of how many near-duplicates they have; each one not yet grouped becomes a group's centre, and
 * its near-duplicates not yet grouped join it. Every member is a near-duplicate of its centre, so
 * no two members are more than two steps apart, and an original with several different copies
 * (each close to it, not necessarily to each other) is one group because it has the most links.
 * An image close only to members of other groups, not to their centres, stays out.
 */
import { findReposts, type RepostThresholds } from './repostMatcher.js';
import { PerceptualHashIndex } from './perceptualHashIndex.js';

export interface DuplicateCandidate {
  /** Unique among the candidates (for the CLI, the file's path). */
  id: string;
  perceptualHash: bigint;
  embedding: Float32Array;
}

/**
 * Groups of two or more near-duplicates, largest first (ties: by first id); each group's members
 * ordered by id. Images in no group are left out. Cost: one hash scan per image, so n² popcounts
 * (about 3 ns each: 10 000 images take a third of a second, 100 000 half a minute).
 */
export function duplicateGroups<T extends DuplicateCandidate>(candidates: readonly T[], thresholds: RepostThresholds): T[][] {
  const byId = new Map<string, number>();
  const hashes = new PerceptualHashIndex();
  candidates.forEach((candidate, index) => {
    if (byId.has(candidate.id)) throw new Error(`duplicate candidate id ${candidate.id}`);
    byId.set(candidate.id, index);
    hashes.set(candidate.id, candidate.perceptualHash);
  });
  const embeddingOf = (id: string) => candidates[byId.get(id)!]?.embedding;

  const neighbours = candidates.map((candidate, index) =>
    findReposts(candidate, hashes, embeddingOf, thresholds)
      .map((match) => byId.get(match.id)!)
      .filter((other) => other !== index),
  );
  const centresFirst = candidates
    .map((_, index) => index)
    .sort((a, b) => neighbours[b]!.length - neighbours[a]!.length || compareIds(candidates[a]!, candidates[b]!));

  const grouped = new Uint8Array(candidates.length);
  const groups: T[][] = [];
  for (const centre of centresFirst) {
    if (grouped[centre]) continue;
    const members = [centre, ...neighbours[centre]!.filter((other) => !grouped[other])];
    if (members.length < 2) continue;
    for (const member of members) grouped[member] = 1;
    groups.push(members.map((member) => candidates[member]!).sort(compareIds));
  }
  return groups.sort((a, b) => b.length - a.length || compareIds(a[0]!, b[0]!));
}

function compareIds(a: DuplicateCandidate, b: DuplicateCandidate): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
