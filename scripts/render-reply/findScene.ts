import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BotUnderTest } from '../../test/bot/botHarness.js';
import { until } from '../../test/bot/world.js';
import type { FakeDiscord } from '../../test/fake-discord/index.js';
import { WEATHER_DIR } from '../../test/fixtures/datasets.js';
import { weatherWatchers, type Scene } from './scene.js';

/**
 * `/find a blue sky` in a server where three people posted the shared weather photos in two channels: the bot indexes
 * them as they arrive, then answers a member's search.
 */

const PHOTOS_PER_MESSAGE = 9;

export function findScene(query = 'a blue sky'): Scene {
  const ids = { guild: '', searcher: '', channels: [] as string[], people: [] as string[] };
  return {
    name: 'find',
    setup(discord: FakeDiscord) {
      const guild = weatherWatchers(discord);
      for (const [username, globalName] of [
        ['noor', 'Noor'],
        ['sam', 'Sam K.'],
      ] as const) {
        const person = discord.createUser({ username, globalName });
        discord.addMember(guild.guildId, person.id);
        ids.people.push(person.id);
      }
      ids.guild = guild.guildId;
      ids.searcher = ids.people[0]!;
      ids.people.push(guild.ownerId);
      ids.channels = [
        discord.createChannel(guild.guildId, { name: 'weather' }).id,
        discord.createChannel(guild.guildId, { name: 'skies' }).id,
      ];
    },
    async run(harness: BotUnderTest) {
      const { discord } = harness;
      const owner = ids.people.at(-1)!;
      for (const channelId of ids.channels) {
        await discord.invokeSlashCommand({
          channelId,
          userId: owner,
          name: 'channels',
          subcommand: 'add',
          options: { channel: channelId },
        });
      }
      const photos = (await readdir(WEATHER_DIR)).filter((name) => /\.(jpe?g|png|webp)$/i.test(name)).sort();
      const posted: string[] = [];
      for (let start = 0, n = 0; start < photos.length; start += PHOTOS_PER_MESSAGE, n++) {
        const files = photos.slice(start, start + PHOTOS_PER_MESSAGE);
        const attachments = await Promise.all(
          files.map(async (filename) => ({ filename, data: await readFile(path.join(WEATHER_DIR, filename)) })),
        );
        const message = await discord.postMessage(ids.channels[n % 2]!, ids.people[n % ids.people.length]!, { attachments });
        posted.push(...message.attachments.map((a) => `${message.id}:${a.id}`));
      }
      await until(() => posted.every((id) => harness.engine.library.has(ids.guild, id)), 'every photo to be indexed', 300_000);
      const reply = await discord.invokeSlashCommand({
        channelId: ids.channels[0]!,
        userId: ids.searcher,
        name: 'find',
        options: { query },
      });
      if (!reply.original) throw new Error(`/find gave no reply (callback ${reply.callbackType})`);
      return reply.original;
    },
  };
}
