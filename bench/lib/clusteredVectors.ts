import { mulberry32 } from '../../test/fixtures/seededRandom.js';

/**
 * Unit vectors in clusters, as image embeddings are (neighbours closer together than uniform
 * random data would put them): `around(center, spread)` is normalize(center + spread · g / √D).
 */
export class ClusteredVectors {
  readonly centers: Float32Array[];
  private readonly next: () => number;
  private spare = Number.NaN;

  constructor(
    readonly dimensions: number,
    clusters: number,
    seed: number,
  ) {
    this.next = mulberry32(seed);
    this.centers = Array.from({ length: clusters }, () => this.around(null, 1, new Float32Array(dimensions)));
  }

  /** A vector near a random cluster's center, written into `out`. */
  member(spread: number, out = new Float32Array(this.dimensions)): Float32Array {
    return this.around(this.centers[Math.floor(this.next() * this.centers.length)] as Float32Array, spread, out);
  }

  around(center: Float32Array | null, spread: number, out: Float32Array): Float32Array {
    const scale = spread / Math.sqrt(this.dimensions);
    let norm = 0;
    for (let i = 0; i < this.dimensions; i++) {
      const x = (center === null ? 0 : (center[i] as number)) + this.gaussian() * scale;
      out[i] = x;
      norm += x * x;
    }
    const inverse = 1 / Math.sqrt(norm);
    for (let i = 0; i < this.dimensions; i++) out[i] = (out[i] as number) * inverse;
    return out;
  }

  /** Box-Muller, using both values of each pair. */
  private gaussian(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = Number.NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(this.next() || 1e-12));
    const angle = 2 * Math.PI * this.next();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
