import { Events, type Client, type Guild } from 'discord.js';
import { logger } from '../../logger.js';
import type { ImageTextReader } from '../../ocr/imageTextReader.js';
import type { GuildSettings } from './guildSettings.js';

/**
 * Tells the engine's OCR which servers have "words in images" on (/settings): every server
 * when the operator set OCR=on, else those that switched it on. The engine asks on every
 * image, synchronously, so the answer comes from the settings in memory: loaded here for every
 * server at start and when one joins or comes back, and changed in memory by /settings itself,
 * so a change applies to the next image. A server whose settings are not loaded yet reads
 * nothing; its messages load them before their images are queued.
 */
export function followWordsInImages(ocr: ImageTextReader, settings: GuildSettings, onEverywhere: boolean): void {
  ocr.setEnabled((guildId) => onEverywhere || settings.loadedPreferences(guildId)?.wordsInImages === true);
}

/** Loads the settings of every server the client is in now, and of each one that joins or returns. */
export async function loadSettingsOfEveryServer(client: Client, settings: GuildSettings): Promise<void> {
  const load = (guild: Guild) =>
    settings
      .preferences(guild.id)
      .catch((error: unknown) => logger.warn({ err: error, guildId: guild.id }, 'could not load the settings of a server'));
  client.on(Events.GuildCreate, (guild) => void load(guild));
  client.on(Events.GuildAvailable, (guild) => void load(guild));
  await Promise.all([...client.guilds.cache.values()].map(load));
}
