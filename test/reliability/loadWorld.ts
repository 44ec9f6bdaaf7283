/**
 * The server a load run happens in, on the loopback Discord, shared by test/reliability/load.test.ts
 * (bounded, asserted) and bench/load.ts (longer, printed): members (a fifth of whom, the newcomers,
 * cannot see the staff channel), public channels and a staff channel, a pool of real messages with
 * one image each, and records that point at those messages, so that showing a result re-reads a
 * message that exists, as on Discord.
 */
import { PermissionFlagsBits } from 'discord.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { TINY_COLOURS } from '../fixtures/models/tinyColours.js';
import { randomUnitVector } from '../fixtures/randomUnitVector.js';

export interface LoadWorld {
  guildId: string;
  adminId: string;
  members: string[];
  /** Members who cannot see the staff channel. */
  newcomers: Set<string>;
  /** Every channel, the staff channel last. */
  channels: string[];
  staffChannelId: string;
}

/** A real message with one small image, which records point at. */
export interface PooledImage {
  channelId: string;
  messageId: string;
  attachmentId: string;
  url: string;
  authorId: string;
  createdAt: number;
}

/** Seed of the random vectors the records carry. */
export const LOAD_RECORDS_SEED = 20_240_531;

export function createLoadGuild(discord: FakeDiscord, options: { members: number; channels: number }): LoadWorld {
  const admin = discord.createUser({ username: 'load-admin' });
  const guild = discord.createGuild({ name: 'load server', ownerId: admin.id });
  discord.addMember(guild.id, admin.id);
  const newcomerRole = discord.createRole(guild.id, { name: 'newcomer', permissions: 0n });
  const members: string[] = [];
  const newcomers = new Set<string>();
  for (let i = 0; i < options.members; i++) {
    const user = discord.createUser({ username: `member-${i}` });
    const newcomer = i % 5 === 0;
    discord.addMember(guild.id, user.id, newcomer ? { roles: [newcomerRole.id] } : {});
    members.push(user.id);
    if (newcomer) newcomers.add(user.id);
  }
  const channels = Array.from({ length: options.channels }, (_, i) => discord.createChannel(guild.id, { name: `photos-${i}` }).id);
  const staff = discord.createChannel(guild.id, {
    name: 'staff',
    permissionOverwrites: [{ id: newcomerRole.id, type: 'role', deny: PermissionFlagsBits.ViewChannel }],
  });
  return { guildId: guild.id, adminId: admin.id, members, newcomers, channels: [...channels, staff.id], staffChannelId: staff.id };
}

/** `perChannel` real messages with one small image each in every channel, by channel. */
export async function postImagePool(discord: FakeDiscord, world: LoadWorld, perChannel: number): Promise<PooledImage[][]> {
  const images = await Promise.all(TINY_COLOURS.map((colour) => solidColourImage(colour.rgb, { width: 8, height: 8 })));
  const pool: PooledImage[][] = [];
  for (const channelId of world.channels) {
    const posted: PooledImage[] = [];
    for (let i = 0; i < perChannel; i++) {
      const authorId = channelId === world.staffChannelId ? world.adminId : world.members[(i * 7) % world.members.length]!;
      const colour = TINY_COLOURS[i % TINY_COLOURS.length]!;
      const message = await discord.postMessage(channelId, authorId, {
        attachments: [{ filename: `${colour.name}-${i}.png`, data: images[i % images.length]!, contentType: 'image/png' }],
      });
      const attachment = message.attachments[0]!;
      posted.push({
        channelId,
        messageId: message.id,
        attachmentId: attachment.id,
        url: attachment.url,
        authorId,
        createdAt: message.createdAt,
      });
    }
    pool.push(posted);
  }
  return pool;
}

/**
 * Records k = from … from+count-1, with random unit vectors stamped with `modelId`: channel k mod C,
 * one of that channel's real messages, an id unique to the record (many records share a message,
 * so the id is `message:attachment:k`).
 */
export function syntheticRecords(
  world: LoadWorld,
  pool: PooledImage[][],
  modelId: string,
  dimensions: number,
  from: number,
  count: number,
  random: () => number,
): ImageRecord[] {
  const records: ImageRecord[] = [];
  for (let k = from; k < from + count; k++) {
    const channelPool = pool[k % pool.length]!;
    const image = channelPool[Math.floor(k / pool.length) % channelPool.length]!;
    records.push({
      id: `${image.messageId}:${image.attachmentId}:${k}`,
      collection: world.guildId,
      channelId: image.channelId,
      messageId: image.messageId,
      attachmentId: image.attachmentId,
      authorId: image.authorId,
      createdAt: image.createdAt - k,
      source: image.url,
      contentHash: (k >>> 0).toString(16).padStart(8, '0').repeat(8),
      perceptualHash: undefined,
      modelId,
      embedding: randomUnitVector(new Float32Array(dimensions), random),
    });
  }
  return records;
}
