/**
 * Decimal ids of up to 64 bits (Discord snowflakes) held as two unsigned 32-bit halves, so that
 * a million of them live in typed arrays instead of a million strings. Only the canonical
 * spelling is accepted (no sign, no leading zero, no spaces), so that formatting gives back
 * exactly the text that was parsed.
 */

const CANONICAL = /^(?:0|[1-9][0-9]{0,19})$/;
const TWO_32 = 0x1_0000_0000;
const MAX_U64 = (1n << 64n) - 1n;

/** [low 32 bits, high 32 bits] of a canonical decimal below 2^64, or null for any other text. */
export function parseDecimalU64(text: string): [number, number] | null {
  if (!CANONICAL.test(text)) return null;
  if (text.length <= 15) {
    const value = Number(text); // exact below 2^53
    return [value % TWO_32, Math.floor(value / TWO_32)];
  }
  const value = BigInt(text);
  if (value > MAX_U64) return null;
  return [Number(value & 0xffff_ffffn), Number(value >> 32n)];
}

export function formatDecimalU64(low: number, high: number): string {
  if (high < 0x20_0000) return String(high * TWO_32 + low); // below 2^53: exact as a number
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

/** Orders two ids given as halves, numerically. */
export function compareU64(lowA: number, highA: number, lowB: number, highB: number): number {
  return highA !== highB ? highA - highB : lowA - lowB;
}
