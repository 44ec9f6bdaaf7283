import { createHash } from 'node:crypto';
import { PermissionFlagsBits, REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { DEFAULT_SEGMENT_RECORDS, ImageStore } from '../../src/store/imageStore.js';
import type { FakeDiscord } from '../../test/fake-discord/index.js';
import { solidColourImage } from '../../test/fixtures/images.js';
import { TINY_COLOURS } from '../../test/fixtures/models/tinyColours.js';
import { mulberry32 } from '../../test/fixtures/seededRandom.js';
import { randomUnitVector } from './unitVector.js';

/**
 * The server a load benchmark runs in, on the loopback Discord: members (a fifth of whom cannot
 * see the staff channel), public channels and a staff channel, a pool of real messages with one
 * image each, and a store holding many records that point at those messages, so that showing a
 * result re-reads a message that exists, as on Discord.
 */

export interface LoadWorld {
  guildId: string;
  adminId: string;
  members: string[];
  /** Every channel, the staff channel last. */
  channels: string[];
  staffChannelId: string;
  pool: PooledImage[];
}

interface PooledImage {
  channelId: string;
  messageId: string;
  attachmentId: string;
  url: string;
  authorId: string;
  createdAt: number;
}

export async function buildLoadWorld(
  discord: FakeDiscord,
  options: { members: number; channels: number; messagesPerChannel: number },
): Promise<LoadWorld> {
  const admin = discord.createUser({ username: 'load-admin' });
  const guild = discord.createGuild({ name: 'load server', ownerId: admin.id });
  discord.addMember(guild.id, admin.id);
  const newcomer = discord.createRole(guild.id, { name: 'newcomer', permissions: 0n });
  const members = Array.from({ length: options.members }, (_, i) => {
    const user = discord.createUser({ username: `member-${i}` });
    discord.addMember(guild.id, user.id, i % 5 === 0 ? { roles: [newcomer.id] } : {});
    return user.id;
  });
  const channels = Array.from({ length: options.channels }, (_, i) => discord.createChannel(guild.id, { name: `photos-${i}` }).id);
  const staff = discord.createChannel(guild.id, {
    name: 'staff',
    permissionOverwrites: [{ id: newcomer.id, type: 'role', deny: PermissionFlagsBits.ViewChannel }],
  }).id;
  await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
  const images = await Promise.all(TINY_COLOURS.map((colour) => solidColourImage(colour.rgb, { width: 8, height: 8 })));
  const pool: PooledImage[] = [];
  for (const channelId of [...channels, staff]) {
    for (let i = 0; i < options.messagesPerChannel; i++) {
      const authorId = channelId === staff ? admin.id : members[(i * 7) % members.length]!;
      const colour = TINY_COLOURS[i % TINY_COLOURS.length]!;
      const message = await discord.postMessage(channelId, authorId, {
        attachments: [{ filename: `${colour.name}-${i}.png`, data: images[i % images.length]!, contentType: 'image/png' }],
      });
      const attachment = message.attachments[0]!;
      pool.push({
        channelId,
        messageId: message.id,
        attachmentId: attachment.id,
        url: attachment.url,
        authorId,
        createdAt: message.createdAt,
      });
    }
  }
  return { guildId: guild.id, adminId: admin.id, members, channels: [...channels, staff], staffChannelId: staff, pool };
}

/**
 * Writes `count` records into a store, spread over the pool's messages, with random unit
 * vectors stamped with `modelId`. Many records share a message, so each id is
 * `message:attachment:k` (kept as text in memory: ~100 bytes more a record than a real
 * Discord id, which bench/search.ts measures instead).
 */
export async function writePoolRecords(
  storeUrl: string,
  world: LoadWorld,
  count: number,
  dimensions: number,
  modelId: string,
): Promise<void> {
  const store = await ImageStore.open(storeUrl, { compactAfter: 0 });
  const random = mulberry32(20_240_531);
  try {
    for (let from = 0; from < count; from += DEFAULT_SEGMENT_RECORDS) {
      const records: ImageRecord[] = [];
      for (let k = from; k < Math.min(count, from + DEFAULT_SEGMENT_RECORDS); k++) {
        const image = world.pool[(k * 7919) % world.pool.length]!;
        records.push({
          id: `${image.messageId}:${image.attachmentId}:${k}`,
          collection: world.guildId,
          channelId: image.channelId,
          messageId: image.messageId,
          attachmentId: image.attachmentId,
          authorId: image.authorId,
          createdAt: image.createdAt - k,
          source: image.url,
          contentHash: createHash('sha256').update(`image ${k}`).digest('hex'),
          perceptualHash: undefined,
          modelId,
          embedding: randomUnitVector(new Float32Array(dimensions), random),
        });
      }
      await store.putBulk(records);
    }
  } finally {
    await store.close();
  }
}
