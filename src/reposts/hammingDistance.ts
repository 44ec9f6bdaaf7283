/** How many of 64 bits two perceptual hashes differ in. */

/** Bits set in the low 32 bits of `word` (the SWAR count: pairs, nibbles, then a multiply sums the bytes). */
export function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The high and low 32 bits of a 64-bit hash, as plain numbers (bigint arithmetic is slow in a scan). */
export function hashWords(hash: bigint): { high: number; low: number } {
  if (hash < 0n || hash >= 1n << 64n) throw new RangeError(`a perceptual hash is 64 bits unsigned, not ${hash}`);
  return { high: Number(hash >> 32n), low: Number(hash & 0xffffffffn) };
}

export function hammingDistance(a: bigint, b: bigint): number {
  const x = hashWords(a);
  const y = hashWords(b);
  return popcount32(x.high ^ y.high) + popcount32(x.low ^ y.low);
}
