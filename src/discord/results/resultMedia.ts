import { DiscordAPIError, Events, RESTJSONErrorCodes, type Client } from 'discord.js';
import { logger } from '../../logger.js';
import type { SearchHit } from '../../library/imageLibrary.js';
import type { IndexForgetting } from '../indexing/indexForgetting.js';
import { showsNothing } from '../indexing/messageImages.js';

/** A hit ready to show: its image at a URL that works now. */
export interface ShownHit {
  hit: SearchHit;
  url: string;
}

/** A result's message is re-read at most this often; deletions while running arrive as events. */
const CHECK_EVERY_MS = 10 * 60 * 1000;
/** A signed URL is shown only while it has at least this long to live. */
const URL_MARGIN_MS = 10 * 60 * 1000;
const REFRESH_BATCH = 50;

type Check = { status: 'exists'; url: string | undefined } | { status: 'deleted' } | { status: 'unknown' };

/**
 * Makes results showable. Discord's attachment URLs are signed and expire, and a message
 * may have been deleted while the bot was offline. So each result's message is re-read
 * (once per ten minutes at most, shared by every search that shows it): a deleted one is
 * dropped and purged from the index, an existing one yields a fresh URL. Stale URLs that
 * could not be re-read are re-signed through one refresh-urls call per page. Re-reads
 * are bounded this way because Discord allows a bot about 50 requests a second in all.
 */
export class ResultMedia {
  private readonly checked = new Map<string, { at: number; check: Check }>();
  private readonly checking = new Map<string, Promise<Check>>();

  constructor(
    private readonly client: Client,
    private readonly forgetting: IndexForgetting,
  ) {
    // While the bot could not see a channel, deletions there did not reach it: after any change
    // to what it may see, results are read again rather than taken from earlier checks.
    const forgetChecks = () => this.checked.clear();
    client.on(Events.ChannelUpdate, forgetChecks);
    client.on(Events.GuildRoleUpdate, forgetChecks);
    client.on(Events.GuildMemberUpdate, (_old, member) => {
      if (member.id === client.user?.id) forgetChecks();
    });
  }

  async fresh(hits: readonly SearchHit[]): Promise<ShownHit[]> {
    const checks = await Promise.all(hits.map((hit) => this.check(hit)));
    const deleted = hits.filter((_, i) => checks[i]!.status === 'deleted');
    if (deleted.length > 0) {
      await this.forgetting.imagesGone(
        deleted[0]!.image.collection,
        deleted.map((hit) => hit.image.id),
        'result',
      );
    }
    const shown = hits.flatMap((hit, i): Array<{ hit: SearchHit; url: string | undefined }> => {
      const check = checks[i]!;
      if (check.status === 'deleted') return [];
      const url = check.status === 'exists' ? check.url : undefined;
      // The stored source carries no signature: it always goes through refresh-urls.
      return [{ hit, url: url !== undefined && isFresh(url) ? url : undefined }];
    });
    const stale = shown.filter((item) => item.url === undefined).map((item) => item.hit.image.source);
    const refreshed = await this.refreshUrls(stale);
    return shown.map(({ hit, url }) => ({ hit, url: url ?? refreshed.get(hit.image.source) ?? hit.image.source }));
  }

  private check(hit: SearchHit): Promise<Check> {
    const key = hit.image.id;
    const known = this.checked.get(key);
    if (known !== undefined && Date.now() - known.at < CHECK_EVERY_MS) return Promise.resolve(known.check);
    let pending = this.checking.get(key);
    if (pending === undefined) {
      pending = this.readMessage(hit).then((check) => {
        this.checking.delete(key);
        if (check.status !== 'unknown') this.remember(key, check);
        return check;
      });
      this.checking.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, check: Check): void {
    this.checked.set(key, { at: Date.now(), check });
    // Bounded: the oldest entries go first (a Map iterates in insertion order).
    if (this.checked.size > 50_000) {
      for (const old of this.checked.keys()) {
        this.checked.delete(old);
        if (this.checked.size <= 40_000) break;
      }
    }
  }

  private async readMessage(hit: SearchHit): Promise<Check> {
    const { channelId, messageId, attachmentId } = hit.image;
    try {
      const channel = await this.client.channels.fetch(channelId);
      if (channel === null || !channel.isTextBased()) return { status: 'deleted' };
      const message = await channel.messages.fetch({ message: messageId, force: true, cache: false });
      if (showsNothing(message)) return { status: 'unknown' };
      const attachment = message.attachments.get(attachmentId);
      if (attachment !== undefined) return { status: 'exists', url: attachment.url };
      const embedIndex = /^embed(\d+)$/.exec(attachmentId)?.[1];
      const embed = embedIndex === undefined ? undefined : message.embeds[Number(embedIndex)];
      const embedUrl = embed?.image?.url ?? embed?.thumbnail?.url;
      // The message exists but the image was edited out of it.
      return embedUrl === undefined ? { status: 'deleted' } : { status: 'exists', url: embedUrl };
    } catch (error) {
      if (error instanceof DiscordAPIError && isGone(error.code)) return { status: 'deleted' };
      logger.debug({ err: error, channelId, messageId }, 'could not re-read a result message');
      return { status: 'unknown' };
    }
  }

  private async refreshUrls(urls: string[]): Promise<Map<string, string>> {
    const refreshed = new Map<string, string>();
    for (let start = 0; start < urls.length; start += REFRESH_BATCH) {
      try {
        const response = (await this.client.rest.post('/attachments/refresh-urls', {
          body: { attachment_urls: urls.slice(start, start + REFRESH_BATCH) },
        })) as { refreshed_urls?: Array<{ original: string; refreshed: string }> };
        for (const entry of response.refreshed_urls ?? []) refreshed.set(entry.original, entry.refreshed);
      } catch (error) {
        logger.warn({ err: error }, 'could not refresh attachment URLs');
      }
    }
    return refreshed;
  }
}

function isGone(code: number | string): boolean {
  return code === RESTJSONErrorCodes.UnknownMessage || code === RESTJSONErrorCodes.UnknownChannel;
}

/** Discord signs CDN URLs with `ex`, the expiry in hex seconds; a URL without it does not expire. */
function isFresh(url: string): boolean {
  try {
    const expiry = new URL(url).searchParams.get('ex');
    if (expiry === null) return true;
    return Number.parseInt(expiry, 16) * 1000 - Date.now() > URL_MARGIN_MS;
  } catch {
    return false;
  }
}
