/**
 * Short strings per row (file names) as UTF-8 in one growing byte buffer, with a start and a
 * length per row: a million names cost their bytes plus 8 bytes each, and no JS string until
 * one is read. Replaced and removed names leave garbage, reclaimed by copying the live ones
 * once garbage outweighs them.
 */
export class NameArena {
  private bytes: Uint8Array = new Uint8Array(1024);
  private used = 0;
  private garbage = 0;
  private start: Uint32Array = new Uint32Array(0);
  private length: Uint32Array = new Uint32Array(0);

  /** Makes room for rows 0..rows-1 (the table's capacity). */
  resize(rows: number): void {
    this.start = grownTo(this.start, rows);
    this.length = grownTo(this.length, rows);
  }

  /** Reserves byte room for about `rows` more names of `averageBytes` (a bulk load). */
  reserveBytes(bytes: number): void {
    if (this.used + bytes > this.bytes.length) this.bytes = copyInto(new Uint8Array(this.used + bytes), this.bytes, this.used);
  }

  set(row: number, name: Uint8Array): void {
    this.garbage += this.length[row] as number;
    if (this.used + name.length > this.bytes.length) this.growBytes(name.length);
    this.bytes.set(name, this.used);
    this.start[row] = this.used;
    this.length[row] = name.length;
    this.used += name.length;
  }

  get(row: number): string {
    const start = this.start[row] as number;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, this.length[row] as number).toString('utf8');
  }

  /** Row `from`'s name now belongs to row `to` (whose own name is dropped). */
  move(from: number, to: number): void {
    this.garbage += this.length[to] as number;
    this.start[to] = this.start[from] as number;
    this.length[to] = this.length[from] as number;
    this.length[from] = 0;
  }

  clear(row: number): void {
    this.garbage += this.length[row] as number;
    this.length[row] = 0;
  }

  get byteLength(): number {
    return this.bytes.byteLength + this.start.byteLength + this.length.byteLength;
  }

  private growBytes(needed: number): void {
    if (this.garbage > this.used / 2) this.compact();
    if (this.used + needed <= this.bytes.length) return;
    this.bytes = copyInto(new Uint8Array(Math.max(this.bytes.length * 1.5, this.used + needed) | 0), this.bytes, this.used);
  }

  /** Copies the live names of rows 0..start.length-1 into a fresh buffer, in row order. */
  private compact(): void {
    let live = 0;
    for (let row = 0; row < this.length.length; row++) live += this.length[row] as number;
    const next = new Uint8Array(Math.max(1024, Math.ceil(live * 1.25)));
    let at = 0;
    for (let row = 0; row < this.length.length; row++) {
      const length = this.length[row] as number;
      if (length === 0) continue;
      const start = this.start[row] as number;
      next.set(this.bytes.subarray(start, start + length), at);
      this.start[row] = at;
      at += length;
    }
    this.bytes = next;
    this.used = at;
    this.garbage = 0;
  }
}

function grownTo(array: Uint32Array, length: number): Uint32Array {
  if (array.length >= length) return array;
  const next = new Uint32Array(length);
  next.set(array);
  return next;
}

function copyInto(target: Uint8Array, source: Uint8Array, length: number): Uint8Array {
  target.set(source.subarray(0, length));
  return target;
}
