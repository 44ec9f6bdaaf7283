import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { encodeRecords, decodeRecords } from '../../src/store/recordCodec.js';
import { RecordTable } from '../../src/library/recordTable.js';
import { mulberry32 as random } from '../fixtures/seededRandom.js';

function discordRecord(n: number, overrides: Partial<ImageRecord> = {}): ImageRecord {
  const messageId = String(1_150_000_000_000_000_000n + BigInt(Math.floor(n / 3)));
  const attachmentId = String(1_160_000_000_000_000_000n + BigInt(n));
  const channelId = `1170000000000000${String(n % 7).padStart(3, '0')}`;
  return {
    id: `${messageId}:${attachmentId}`,
    collection: 'g',
    channelId,
    messageId,
    attachmentId,
    authorId: `118000000000000000${n % 5}`,
    createdAt: 1_700_000_000_000 + n,
    source: `https://cdn.discordapp.com/attachments/${channelId}/${attachmentId}/photo-${n}.jpg`,
    contentHash: (n * 7919).toString(16).padStart(64, '0'),
    perceptualHash: n % 2 === 0 ? BigInt(n) * 0x1_0000_0001n : undefined,
    modelId: 'm',
    embedding: new Float32Array(4),
    ...overrides,
  };
}

const infoOf = ({ embedding, ...info }: ImageRecord) => info;

describe('RecordTable', () => {
  test('rows give back every field of Discord records, of local files, of embeds and of odd ids', () => {
    const table = new RecordTable('g', 'm');
    const records = [
      discordRecord(1),
      discordRecord(2),
      discordRecord(3, {
        id: '1150000000000000001:embed0',
        attachmentId: 'embed0',
        source: 'https://media.discordapp.net/attachments/9/8/x.png?width=64',
      }),
      discordRecord(4, {
        id: '/home/me/Pictures/cat.jpg',
        messageId: '',
        attachmentId: '',
        channelId: '/home/me/Pictures',
        authorId: '',
        source: '/home/me/Pictures/cat.jpg',
      }),
      discordRecord(5, { id: 'hand-written', messageId: '0123', contentHash: 'h' }),
    ];
    for (const record of records) table.append(record);
    records.forEach((record, row) => {
      assert.deepEqual(table.infoAt(row), infoOf(record));
      assert.equal(table.find(record.id), row);
    });
    assert.equal(table.find('1150000000000000000:1160000000000000009'), -1);
  });

  test('a loaded batch becomes rows without any record objects, with the same fields', () => {
    const records = Array.from({ length: 50 }, (_, n) => discordRecord(n));
    const { columns, entries } = decodeRecords(encodeRecords(records));
    const table = new RecordTable('g', 'm');
    for (const i of entries) table.appendFrom(columns, i);
    records.forEach((record, row) => {
      assert.deepEqual(table.infoAt(row), infoOf(record));
      assert.equal(table.findFrom(columns, row), row);
    });
  });

  test('lookups by id and by message stay right through thousands of removals', () => {
    const next = random(7);
    const table = new RecordTable('g', 'm');
    const live = new Map<string, ImageRecord>();
    for (let n = 0; n < 3000; n++) {
      const record = discordRecord(n);
      table.append(record);
      live.set(record.id, record);
    }
    for (const record of [...live.values()]) {
      if (next() < 0.6) continue;
      assert.ok(table.find(record.id) >= 0);
      table.removeRow(table.find(record.id));
      live.delete(record.id);
    }
    assert.equal(table.size, live.size);
    for (const record of live.values()) assert.deepEqual(table.infoAt(table.find(record.id)), infoOf(record));
    const byMessage = new Map<string, string[]>();
    for (const record of live.values()) byMessage.set(record.messageId, [...(byMessage.get(record.messageId) ?? []), record.id]);
    for (const [messageId, ids] of byMessage) {
      assert.deepEqual(
        table
          .rowsOfMessage(messageId)
          .map((row) => table.idAt(row))
          .sort(),
        ids.sort(),
      );
    }
    const counts = new Map<string, number>();
    for (const record of live.values()) counts.set(record.channelId, (counts.get(record.channelId) ?? 0) + 1);
    assert.deepEqual(new Map([...table.channelCounts].sort()), new Map([...counts].sort()));
  });

  test('a Discord record costs about a hundred bytes of memory besides its vector', () => {
    const table = new RecordTable('g', 'm');
    const count = 20_000;
    table.reserve(count, count * 12);
    for (let n = 0; n < count; n++) table.append(discordRecord(n));
    const perRecord = table.bytes / count;
    assert.ok(perRecord < 130, `${perRecord.toFixed(1)} bytes per record`);
  });
});
