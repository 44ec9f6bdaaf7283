import { createHash } from 'node:crypto';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { mulberry32 } from '../../test/fixtures/seededRandom.js';
import { randomUnitVector } from '../../test/fixtures/randomUnitVector.js';

/**
 * Image records shaped like a busy Discord server's: snowflake ids whose time grows with the
 * record, 1–4 images a message, 40 channels, 2,000 authors (a few post most), file names as
 * phones, screenshots and the clipboard name them, CDN URLs with their signature parameters,
 * sha256 content hashes, and random unit vectors. Deterministic for a given first record.
 */

export const BENCH_GUILD = '1100000000000000001';
const DISCORD_EPOCH = 1_420_070_400_000n;
const START = 1_650_000_000_000;
const CHANNELS = Array.from({ length: 40 }, (_, i) => snowflake(BigInt(START - 10_000_000 + i), 0));
const AUTHORS = Array.from({ length: 2000 }, (_, i) => snowflake(BigInt(START - 90_000_000_000 + i * 1_000), 1));

export function discordLikeRecords(first: number, count: number, dimensions: number, modelId: string): ImageRecord[] {
  const random = mulberry32(first * 2_654_435_761 + 1);
  const embeddings = new Float32Array(count * dimensions);
  const records: ImageRecord[] = [];
  for (let k = first; k < first + count; k++) {
    const message = Math.floor(k / 1.3); // about 1.3 images a message
    const at = START + message * 20_000;
    const messageId = snowflake(BigInt(at), message % 4096);
    const attachmentId = snowflake(BigInt(at + 1), k % 4096);
    const channelId = CHANNELS[(message * 7) % CHANNELS.length] as string;
    const authorId = AUTHORS[Math.floor(AUTHORS.length * random() ** 3)] as string; // a few authors post most
    const name = fileName(k, at, random);
    const embedding = embeddings.subarray((k - first) * dimensions, (k - first + 1) * dimensions);
    randomUnitVector(embedding, random);
    records.push({
      id: `${messageId}:${attachmentId}`,
      collection: BENCH_GUILD,
      channelId,
      messageId,
      attachmentId,
      authorId,
      createdAt: at,
      source:
        `https://cdn.discordapp.com/attachments/${channelId}/${attachmentId}/${name}` +
        `?ex=${hex(at / 1000 + 86_400, 8)}&is=${hex(at / 1000, 8)}&hm=${sha256(`sig${k}`)}&`,
      contentHash: sha256(`bytes${k}`),
      perceptualHash: undefined,
      modelId,
      embedding,
    });
  }
  return records;
}

function fileName(k: number, at: number, random: () => number): string {
  const roll = random();
  const time = new Date(at).toISOString();
  if (roll < 0.3) return 'image.png';
  if (roll < 0.65) return `IMG_${time.slice(0, 10).replaceAll('-', '')}_${time.slice(11, 19).replaceAll(':', '')}.jpg`;
  if (roll < 0.8) return `Screenshot_${time.slice(0, 10)}_at_${time.slice(11, 19).replaceAll(':', '.')}.png`;
  if (roll < 0.9) return 'unknown.png';
  return `${['sunset', 'cat', 'build', 'meme', 'map'][k % 5]}-${k % 997}.jpeg`;
}

function snowflake(ms: bigint, sequence: number): string {
  return (((ms - DISCORD_EPOCH) << 22n) | BigInt(sequence & 0xfff)).toString();
}

function hex(value: number, digits: number): string {
  return Math.floor(value).toString(16).padStart(digits, '0');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
