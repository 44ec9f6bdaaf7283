import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageRecord } from '../../src/search/imageRecord.js';
import {
  decodeRecords, decodeRecordsFromBuffer, encodeRecords, encodeRecordsToBuffer, InvalidRecordError, RecordDecodeError,
} from '../../src/search/recordCodec.js';

function record(overrides: Partial<ImageRecord> = {}): ImageRecord {
  return {
    id: '1100000000000000001:1200000000000000001',
    collection: '900000000000000001',
    channelId: '1300000000000000001',
    messageId: '1100000000000000001',
    attachmentId: '1200000000000000001',
    authorId: '1400000000000000001',
    createdAt: 1_700_000_000_123,
    source: 'https://cdn.discordapp.com/attachments/1300000000000000001/1200000000000000001/cat.png?ex=1&is=2&hm=3&',
    contentHash: 'a'.repeat(64),
    modelId: 'unum-cloud/uform3-image-text-english-small',
    embedding: Float32Array.from([0.25, -1.5, 3.75, 1e-30]),
    ...overrides,
  };
}

/** Compares field by field, embeddings bit for bit. */
function assertSameRecord(actual: ImageRecord | undefined, expected: ImageRecord): void {
  assert.ok(actual, `record ${expected.id} is missing`);
  const { embedding, ...rest } = actual;
  const { embedding: expectedEmbedding, ...expectedRest } = expected;
  assert.deepEqual(rest, expectedRest);
  assert.deepEqual(
    new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength),
    new Uint8Array(expectedEmbedding.buffer, expectedEmbedding.byteOffset, expectedEmbedding.byteLength),
  );
}

describe('recordCodec', () => {
  test('a batch round-trips every field, embeddings bit-exactly', () => {
    const special = Float32Array.from([Number.NaN, -0, Number.POSITIVE_INFINITY, 1.401298464324817e-45, -3.4028234663852886e38]);
    const records = [record(), record({ id: 'photos/b.jpg', messageId: '', attachmentId: '', embedding: special })];
    const decoded = decodeRecords(encodeRecords(records));
    assert.equal(decoded.failed, 0);
    assert.equal(decoded.records.length, 2);
    decoded.records.forEach((r, i) => assertSameRecord(r, records[i] as ImageRecord));
  });

  test('non-ASCII strings (accents, CJK, emoji, lone surrogates) round-trip', () => {
    const records = [
      record({ id: 'Fotos/Ærø/straße-日本-🌈.jpg', source: '/home/zoë/Bilder/日本/🌈.jpg', authorId: 'ünïcødé', modelId: 'modèle' }),
      record({ id: 'odd-\ud800-surrogate', channelId: 'chan\u2028nel', source: 'tab\there "quoted" \\ back' }),
    ];
    const decoded = decodeRecords(encodeRecords(records));
    decoded.records.forEach((r, i) => assertSameRecord(r, records[i] as ImageRecord));
  });

  test('content hashes that are not 64 hex digits are kept as text', () => {
    const records = [record({ contentHash: 'ABC' }), record({ id: 'x', contentHash: 'a'.repeat(64) })];
    const decoded = decodeRecords(encodeRecords(records));
    assert.deepEqual(decoded.records.map((r) => r.contentHash), ['ABC', 'a'.repeat(64)]);
  });

  test('an empty batch round-trips', () => {
    assert.deepEqual(decodeRecords(encodeRecords([])).records, []);
  });

  test('records of different dimensions share a batch', () => {
    const records = [record({ id: 'a', embedding: new Float32Array([1, 2]) }), record({ id: 'b', embedding: new Float32Array([3, 4, 5]) })];
    const decoded = decodeRecords(encodeRecords(records));
    assert.deepEqual(decoded.records.map((r) => [...r.embedding]), [[1, 2], [3, 4, 5]]);
  });

  test('an invalid record is refused at encoding, naming the field', () => {
    assert.throws(() => encodeRecords([record({ createdAt: Number.NaN })]), (e: Error) => e instanceof InvalidRecordError && /createdAt/.test(e.message));
    assert.throws(() => encodeRecords([record({ embedding: new Float32Array(0) })]), InvalidRecordError);
    assert.throws(() => encodeRecords([record({ id: '' })]), InvalidRecordError);
  });

  test('a corrupt batch is rejected with RecordDecodeError, not half-read', () => {
    const blob = encodeRecordsToBuffer([record()]);
    assert.throws(() => decodeRecordsFromBuffer(blob.subarray(0, blob.length - 4)), RecordDecodeError);
    assert.throws(() => decodeRecords('bm90IGEgYmF0Y2g='), RecordDecodeError);
  });

  test('an entry with a broken field is counted and described, the others decode', () => {
    const blob = encodeRecordsToBuffer([record({ id: 'good' }), record({ id: 'bad' })]);
    // Corrupt the second id in the JSON metadata into a number, keeping the length.
    const text = blob.toString('latin1');
    const patched = Buffer.from(text.replace('"bad"', '12345'), 'latin1');
    const decoded = decodeRecordsFromBuffer(patched);
    assert.equal(decoded.failed, 1);
    assert.deepEqual(decoded.records.map((r) => r.id), ['good']);
    assert.deepEqual(decoded.indexes, [0]);
    assert.match(decoded.problems[0] ?? '', /record #1: id/);
  });
});
