import { DiscordAPIError, RESTJSONErrorCodes, Routes, type Client } from 'discord.js';
import type { ImageLibrary } from '../../library/imageLibrary.js';
import { logger } from '../../logger.js';
import type { IndexForgetting } from './indexForgetting.js';

/** What Discord answers about a server the bot is no longer in. */
const REMOVED_CODES: ReadonlySet<number | string> = new Set([RESTJSONErrorCodes.UnknownGuild, RESTJSONErrorCodes.MissingAccess]);

/**
 * A server that removed the bot while it was offline sends no GUILD_DELETE: it is simply not
 * among the servers Discord lists when the bot connects (READY lists every server it is in,
 * those in an outage as unavailable). So after start-up each server this process holds images
 * of (its shard's) that READY did not list is asked about, and forgotten only when Discord says
 * the bot is not in it (Unknown Guild or Missing Access); an outage, or no answer, forgets nothing.
 */
export async function forgetServersLeftWhileAway(client: Client, library: ImageLibrary, forgetting: IndexForgetting): Promise<void> {
  for (const { collection } of library.stats()) {
    // The CLI's folders may share the store: only servers (snowflakes) are Discord's to judge.
    if (!/^\d+$/.test(collection) || client.guilds.cache.has(collection)) continue;
    if (!(await botWasRemoved(client, collection))) continue;
    await forgetting
      .guildLeft(collection)
      .catch((error: unknown) => logger.error({ err: error, guildId: collection }, 'could not forget a server that removed the bot'));
  }
}

async function botWasRemoved(client: Client, guildId: string): Promise<boolean> {
  try {
    await client.rest.get(Routes.guild(guildId));
    return false;
  } catch (error) {
    if (error instanceof DiscordAPIError && REMOVED_CODES.has(error.code)) return true;
    logger.warn({ err: error, guildId }, 'could not tell whether the bot is still in a server it holds images of; they are kept');
    return false;
  }
}
