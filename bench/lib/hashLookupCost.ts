/**
 * What one repost lookup costs at scale: the scan of a column of perceptual hashes for those within
 * a distance of a query, both ways round (as they are and as mirror images, what the library does),
 * and as they are only (the scan before mirrors were tolerated), for what mirror tolerance costs.
 */
import { hashWords, popcount32 } from '../../src/reposts/hammingDistance.js';
import { writeHash } from '../../src/reposts/hashScan.js';
import { PerceptualHashIndex } from '../../src/reposts/perceptualHashIndex.js';
import { mulberry32 } from '../../test/fixtures/seededRandom.js';

export interface LookupCost {
  cpuSecondsPerLookup: number;
  wallSecondsPerLookup: number;
}

export interface LookupScale {
  /** Random informative hashes held. */
  size: number;
  /** Queries timed per round (held hashes, spread over the column). */
  lookups: number;
  /** Rounds; the fastest counts. */
  rounds: number;
  maxDistance: number;
}

export function lookupCostAtScale({ size, lookups, rounds, maxDistance }: LookupScale): { bothWays: LookupCost; asTheyAre: LookupCost } {
  const random = mulberry32(12);
  const word = () => Math.floor(random() * 2 ** 32);
  const index = new PerceptualHashIndex();
  const pairs = new Uint32Array(2 * size);
  const queries: bigint[] = [];
  for (let i = 0; i < size; i++) {
    const hash = (1n << 63n) | (BigInt(word() >>> 1) << 32n) | BigInt(word());
    index.set(`image-${i}`, hash);
    writeHash(pairs, i, hash);
    if (i % Math.floor(size / lookups) === 0) queries.push(hash);
  }
  const timed = (lookup: (query: bigint) => unknown): LookupCost => {
    lookup(queries[0]!); // warm-up
    let fastest: LookupCost | undefined;
    for (let round = 0; round < rounds; round++) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (const query of queries) lookup(query);
      const used = process.cpuUsage(cpu);
      const cost = {
        cpuSecondsPerLookup: (used.user + used.system) / 1e6 / queries.length,
        wallSecondsPerLookup: Number(process.hrtime.bigint() - start) / 1e9 / queries.length,
      };
      fastest =
        fastest === undefined
          ? cost
          : {
              cpuSecondsPerLookup: Math.min(fastest.cpuSecondsPerLookup, cost.cpuSecondsPerLookup),
              wallSecondsPerLookup: Math.min(fastest.wallSecondsPerLookup, cost.wallSecondsPerLookup),
            };
    }
    return fastest!;
  };
  return {
    bothWays: timed((query) => index.within(query, maxDistance)),
    asTheyAre: timed((query) => plainScan(pairs, query, maxDistance)),
  };
}

/** The scan as it was before mirrors: slots within maxDistance of the hash as it is (one SWAR popcount a word). */
function plainScan(pairs: Uint32Array, hash: bigint, maxDistance: number): number[] {
  const { high, low } = hashWords(hash);
  const found: number[] = [];
  for (let slot = 0; slot < pairs.length / 2; slot++) {
    const storedLow = pairs[2 * slot]!;
    const storedHigh = pairs[2 * slot + 1]!;
    const distance = popcount32(storedHigh ^ high) + popcount32(storedLow ^ low);
    if (distance <= maxDistance && (storedHigh | storedLow) !== 0) found.push(slot);
  }
  return found;
}
