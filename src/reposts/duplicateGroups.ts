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
  /** The words read in the image (OCR); undefined when not read. */
  imageText?: string | undefined;
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
  const candidateOf = (id: string) => candidates[byId.get(id)!];
  const embeddingOf = (id: string) => candidateOf(id)?.embedding;
  const imageTextOf = (id: string) => candidateOf(id)?.imageText;
  const neighbours = candidates.map((candidate) =>
    findReposts(candidate, hashes, embeddingOf, thresholds, imageTextOf).map((match) => byId.get(match.id)!),
  );
  const byIdOrder = (a: number, b: number) => compareIds(candidates[a]!.id, candidates[b]!.id);
  return starGroups(neighbours, byIdOrder).map((group) => group.map((member) => candidates[member]!));
}

/**
 * The star clusters of items 0..n-1, given each one's near-duplicates (`neighbours[i]`; i itself may
 * be listed, it is ignored) and an order to break ties by: groups of item numbers, largest first
 * (ties: by first member), members in that order.
 */
export function starGroups(neighbours: ReadonlyArray<readonly number[]>, order: (a: number, b: number) => number): number[][] {
  const others = neighbours.map((near, item) => near.filter((other) => other !== item));
  const centresFirst = others.map((_, item) => item).sort((a, b) => others[b]!.length - others[a]!.length || order(a, b));
  const grouped = new Uint8Array(others.length);
  const groups: number[][] = [];
  for (const centre of centresFirst) {
    if (grouped[centre]) continue;
    const members = [centre, ...others[centre]!.filter((other) => !grouped[other])];
    if (members.length < 2) continue;
    for (const member of members) grouped[member] = 1;
    groups.push(members.sort(order));
  }
  return groups.sort((a, b) => b.length - a.length || order(a[0]!, b[0]!));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
