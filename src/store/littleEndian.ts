import type { Buffer } from 'node:buffer';
import { endianness } from 'node:os';

/** Typed-array columns in a little-endian byte layout, whatever the host's byte order. */

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

export type Column = Uint8Array | Uint32Array | Float32Array | Float64Array;
export type ColumnType<T extends Column> = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  new (length: number): T;
  BYTES_PER_ELEMENT: number;
};

export function writeLittleEndian(blob: Buffer, offset: number, array: ArrayBufferView): void {
  if (LITTLE_ENDIAN_HOST || array instanceof Uint8Array) {
    blob.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    return;
  }
  const view = new DataView(blob.buffer, blob.byteOffset + offset, array.byteLength);
  const values = array as Exclude<Column, Uint8Array>;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (values instanceof Uint32Array) view.setUint32(4 * i, value, true);
    else if (values instanceof Float32Array) view.setFloat32(4 * i, value, true);
    else view.setFloat64(8 * i, value, true);
  }
}

/** A zero-copy view on a little-endian host (sections are 8-aligned); a converted copy otherwise. */
export function readLittleEndian<T extends Column>(type: ColumnType<T>, blob: Buffer, offset: number, length: number): T {
  if (LITTLE_ENDIAN_HOST || type.BYTES_PER_ELEMENT === 1) return new type(blob.buffer, blob.byteOffset + offset, length);
  const out = new type(length);
  const view = new DataView(blob.buffer, blob.byteOffset + offset, length * type.BYTES_PER_ELEMENT);
  for (let i = 0; i < length; i++) {
    (out as Float64Array)[i] =
      out instanceof Uint32Array
        ? view.getUint32(4 * i, true)
        : out instanceof Float32Array
          ? view.getFloat32(4 * i, true)
          : view.getFloat64(8 * i, true);
  }
  return out;
}
