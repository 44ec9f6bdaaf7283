import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import {
  decodedRecords,
  decodeRecords,
  decodeRecordsFromBuffer,
  encodeRecords,
  encodeRecordsToBuffer,
  InvalidRecordError,
  RecordDecodeError,
} from '../../src/store/recordCodec.js';

function record(overrides: Partial<ImageRecord> = {}): ImageRecord {
  return {
    id: '1100000000000000001:1200000000000000001',
    collection: '900000000000000001',
    channelId: '1300000000000000001',
    messageId: '1100000000000000001',
    attachmentId: '1200000000000000001',
    authorId: '1400000000000000001',
    createdAt: 1_700_000_000_123,
    source: 'https://cdn.discordapp.com/attachments/1300000000000000001/1200000000000000001/cat.png',
    contentHash: 'a'.repeat(64),
    perceptualHash: undefined,
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

const roundTrip = (records: ImageRecord[]): ImageRecord[] => decodedRecords(decodeRecords(encodeRecords(records)));

/** Two records as the first codec version ("IRB1") wrote them, before the columnar layout. */
const V1_BATCH =
  'SVJCMQIAAADuAQAACAAAAEAAAAB7ImRpbXMiOjQsImlkIjpbbnVsbCwiL3Bob3Rvcy9iLmpwZyJdLCJjb2wiOnsidiI6WyI5MDAwMDAwMDAwMDAwMDAwMDEiXSwiaSI6WzAsMF19LCJjaCI6eyJ2IjpbIjEzMDAwMDAwMDAwMDAwMDAwMDEiLCIvcGhvdG9zIl0sImkiOlswLDFdfSwibXNnIjpbIjExMDAwMDAwMDAwMDAwMDAwMDEiLCIiXSwiYXR0IjpbIjEyMDAwMDAwMDAwMDAwMDAwMDEiLCIiXSwiYXUiOnsidiI6WyIxNDAwMDAwMDAwMDAwMDAwMDAxIl0sImkiOlswLDBdfSwiYXQiOlsxNzAwMDAwMDAwMTIzLDE3MDAwMDAwMDAxMjNdLCJzcmMiOlsiaHR0cHM6Ly9jZG4uZGlzY29yZGFwcC5jb20vYXR0YWNobWVudHMvMTMwMDAwMDAwMDAwMDAwMDAwMS8xMjAwMDAwMDAwMDAwMDAwMDAxL2NhdC5wbmc/ZXg9MSZpcz0yJmhtPTMmIiwiL3Bob3Rvcy9iLmpwZyJdLCJoYXNoIjpbXSwibW9kZWwiOnsidiI6WyJ1bnVtLWNsb3VkL3Vmb3JtMy1pbWFnZS10ZXh0LWVuZ2xpc2gtc21hbGwiXSwiaSI6WzAsMF19faqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqu7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7sAAAAAgD4AAMC/AABwQGBCog0AAIA/AAAAQAAAQEAAAIBA';

describe('recordCodec', () => {
  test('a batch round-trips every field, embeddings bit-exactly', () => {
    const special = Float32Array.from([Number.NaN, -0, Number.POSITIVE_INFINITY, 1.401298464324817e-45, -3.4028234663852886e38]);
    const records = [
      record({ perceptualHash: 0xfedc_ba98_7654_3210n }),
      record({ id: 'photos/b.jpg', messageId: '', attachmentId: '', channelId: 'photos', source: 'photos/b.jpg', embedding: special }),
      record({
        id: '1100000000000000001:embed2',
        attachmentId: 'embed2',
        source: 'https://media.discordapp.net/attachments/1/2/x.png?width=300',
      }),
      record({ id: '1:2', messageId: '3', attachmentId: '2', contentHash: 'not a hash' }),
    ];
    const decoded = roundTrip(records);
    assert.equal(decoded.length, 4);
    decoded.forEach((r, i) => assertSameRecord(r, records[i] as ImageRecord));
  });

  test("Discord's URL signature is not stored; other query parameters are", () => {
    const [signed] = roundTrip([record({ source: 'https://cdn.discordapp.com/attachments/13/12/cat.png?ex=67a0&is=6790&hm=abc123&' })]);
    assert.equal(signed?.source, 'https://cdn.discordapp.com/attachments/13/12/cat.png');
    const [sized] = roundTrip([record({ source: 'https://media.discordapp.net/attachments/13/12/cat.png?ex=1&is=2&hm=3&width=64' })]);
    assert.equal(sized?.source, 'https://media.discordapp.net/attachments/13/12/cat.png?width=64');
  });

  test('a Discord record costs its ids, hash and file name: no URL, no id text', () => {
    const records = Array.from({ length: 1000 }, (_, i) => {
      const messageId = String(1_100_000_000_000_000_000n + BigInt(i));
      const attachmentId = String(1_200_000_000_000_000_000n + BigInt(i));
      const channelId = `13000000000000000${i % 10}`;
      return record({
        id: `${messageId}:${attachmentId}`,
        messageId,
        attachmentId,
        channelId,
        source: `https://cdn.discordapp.com/attachments/${channelId}/${attachmentId}/IMG_${i}.jpg?ex=67a0&is=6790&hm=${'f'.repeat(64)}&`,
        contentHash: i.toString(16).padStart(64, '0'),
        embedding: new Float32Array(256),
      });
    });
    const bytes = encodeRecordsToBuffer(records).length - 1000 * 256 * 4;
    // 16 (ids) + 8 (time) + 32 (hash) + 21 (dictionary indexes, flags) + 8 (perceptual hash) + ~11 (name) + offsets.
    assert.ok(bytes / 1000 < 110, `${bytes / 1000} bytes of metadata per record`);
  });

  test('non-ASCII strings (accents, CJK, emoji, lone surrogates) round-trip', () => {
    const records = [
      record({ id: 'Fotos/Ærø/straße-日本-🌈.jpg', source: '/home/zoë/Bilder/日本/🌈.jpg', authorId: 'ünïcødé', modelId: 'modèle' }),
      record({ id: 'odd-\ud800-surrogate', channelId: 'chan\u2028nel', source: 'tab\there "quoted" \\ back' }),
      record({ id: 'marks', channelId: 'a\u0001b', source: 'dir\u0002/file' }),
    ];
    roundTrip(records).forEach((r, i) => assertSameRecord(r, records[i] as ImageRecord));
  });

  test('content hashes that are not 64 hex digits are kept as text', () => {
    const records = [record({ contentHash: 'ABC' }), record({ id: 'x', contentHash: 'a'.repeat(64) })];
    assert.deepEqual(
      roundTrip(records).map((r) => r.contentHash),
      ['ABC', 'a'.repeat(64)],
    );
  });

  test('an empty batch round-trips', () => {
    assert.deepEqual(roundTrip([]), []);
  });

  test('records of different dimensions share a batch', () => {
    const records = [record({ id: 'a', embedding: new Float32Array([1, 2]) }), record({ id: 'b', embedding: new Float32Array([3, 4, 5]) })];
    assert.deepEqual(
      roundTrip(records).map((r) => [...r.embedding]),
      [
        [1, 2],
        [3, 4, 5],
      ],
    );
  });

  test('a batch written by the first codec version still decodes', () => {
    const [discord, local] = decodedRecords(decodeRecords(V1_BATCH));
    assertSameRecord(discord, record({ source: 'https://cdn.discordapp.com/attachments/1300000000000000001/1200000000000000001/cat.png' }));
    assert.deepEqual(
      {
        id: local?.id,
        messageId: local?.messageId,
        source: local?.source,
        hash: local?.contentHash,
        embedding: [...(local?.embedding ?? [])],
      },
      { id: '/photos/b.jpg', messageId: '', source: '/photos/b.jpg', hash: 'b'.repeat(64), embedding: [1, 2, 3, 4] },
    );
  });

  test('an invalid record is refused at encoding, naming the field', () => {
    assert.throws(
      () => encodeRecords([record({ createdAt: Number.NaN })]),
      (e: Error) => e instanceof InvalidRecordError && /createdAt/.test(e.message),
    );
    assert.throws(() => encodeRecords([record({ embedding: new Float32Array(0) })]), InvalidRecordError);
    assert.throws(() => encodeRecords([record({ id: '' })]), InvalidRecordError);
    assert.throws(
      () => encodeRecords([record({ perceptualHash: 1n << 64n })]),
      (e: Error) => e instanceof InvalidRecordError && /perceptualHash/.test(e.message),
    );
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
    assert.deepEqual(
      decodedRecords(decoded).map((r) => r.id),
      ['good'],
    );
    assert.deepEqual([...decoded.positions], [0]);
    assert.match(decoded.problems[0] ?? '', /record #1: id/);
  });
});
