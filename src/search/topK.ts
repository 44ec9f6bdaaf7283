/**
 * The k best (score, row) pairs of a stream, in O(log k) per accepted pair.
 * A binary heap with the worst kept pair at the root, so "is this better than what I keep?"
 * is one comparison against `threshold` for the millions of pairs that are not.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private count = 0;

  /**
   * @param capacity how many pairs to keep (k).
   * @param ranksFirst breaks exact score ties: true when row `a` ranks before row `b`.
   *   Without it, a pair that only ties the worst kept pair is not taken.
   */
  constructor(
    readonly capacity: number,
    private readonly ranksFirst?: (a: number, b: number) => boolean,
  ) {
    this.scores = new Float64Array(Math.max(1, capacity));
    this.rows = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** The score a pair must beat (or tie, with a tie-breaker) to be kept; -Infinity until full. */
  get threshold(): number {
    return this.count >= this.capacity ? (this.scores[0] as number) : -Infinity;
  }

  push(score: number, row: number): void {
    if (this.capacity <= 0) return;
    if (this.count < this.capacity) {
      this.siftUp(this.count++, score, row);
      return;
    }
    if (!this.better(score, row, this.scores[0] as number, this.rows[0] as number)) return;
    this.siftDown(0, score, row);
  }

  /** Kept rows, in no particular order. */
  keptRows(): Int32Array {
    return this.rows.subarray(0, this.count);
  }

  /** Kept rows and scores, best first. */
  sorted(): { rows: number[]; scores: number[] } {
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => {
      const sa = this.scores[a] as number;
      const sb = this.scores[b] as number;
      if (sa !== sb) return sb - sa;
      const ra = this.rows[a] as number;
      const rb = this.rows[b] as number;
      if (this.ranksFirst === undefined) return ra - rb;
      return this.ranksFirst(ra, rb) ? -1 : this.ranksFirst(rb, ra) ? 1 : 0;
    });
    return { rows: order.map((i) => this.rows[i] as number), scores: order.map((i) => this.scores[i] as number) };
  }

  private better(score: number, row: number, otherScore: number, otherRow: number): boolean {
    if (score !== otherScore) return score > otherScore;
    return this.ranksFirst !== undefined && this.ranksFirst(row, otherRow);
  }

  private siftUp(index: number, score: number, row: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = this.scores[parent] as number;
      const pr = this.rows[parent] as number;
      if (!this.better(ps, pr, score, row)) break; // parent is worse or equal: stays above
      this.scores[i] = ps;
      this.rows[i] = pr;
      i = parent;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  private siftDown(index: number, score: number, row: number): void {
    const n = this.count;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (
        right < n &&
        this.better(this.scores[left] as number, this.rows[left] as number, this.scores[right] as number, this.rows[right] as number)
      ) {
        child = right; // the worse child moves up
      }
      const cs = this.scores[child] as number;
      const cr = this.rows[child] as number;
      if (!this.better(score, row, cs, cr)) break;
      this.scores[i] = cs;
      this.rows[i] = cr;
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }
}
