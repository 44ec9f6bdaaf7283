import { randomUUID } from 'node:crypto';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  type GuildMember,
  type InteractionEditReplyOptions,
} from 'discord.js';
import type { ImageLibrary, SearchHit } from '../../library/imageLibrary.js';
import type { MemberAccess } from '../access/memberAccess.js';
import type { ResultMedia, ShownHit } from './resultMedia.js';

export const RESULTS_PER_PAGE = 10;
/** Interaction tokens last 15 minutes; buttons are retired just before. */
const SESSION_TTL_MS = 14 * 60 * 1000;
export const PAGE_BUTTON_PREFIX = 'results';
const MAX_SESSIONS = 5000;

export interface ResultSession {
  id: string;
  userId: string;
  guildId: string;
  title: string;
  hits: SearchHit[];
  /** Shown in an age-restricted channel (cleared once that channel stops being one). */
  nsfwAllowed: boolean;
  expiresAt: number;
  /** Removes the buttons from the reply when the session expires. */
  retire: () => Promise<unknown>;
}

/**
 * Search results held for paging: only the person who searched can turn pages, the
 * buttons are removed when the session expires, and each page is checked again
 * against what the member can read now.
 */
export class ResultPages {
  private readonly sessions = new Map<string, { session: ResultSession; timer: NodeJS.Timeout }>();

  constructor(
    private readonly library: ImageLibrary,
    private readonly media: ResultMedia,
    private readonly access: MemberAccess,
  ) {}

  open(session: Omit<ResultSession, 'id' | 'expiresAt'>): ResultSession {
    const full: ResultSession = { ...session, id: randomUUID().slice(0, 12), expiresAt: Date.now() + SESSION_TTL_MS };
    const timer = setTimeout(() => {
      this.sessions.delete(full.id);
      void full.retire().catch(() => undefined);
    }, SESSION_TTL_MS);
    timer.unref();
    this.sessions.set(full.id, { session: full, timer });
    // Bounded memory under heavy use: the oldest sessions retire early.
    for (const [id, entry] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      clearTimeout(entry.timer);
      this.sessions.delete(id);
      void entry.session.retire().catch(() => undefined);
    }
    return full;
  }

  get(id: string): ResultSession | undefined {
    return this.sessions.get(id)?.session;
  }

  close(): void {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
  }

  /** One page of a session as the member may see it now. */
  async render(session: ResultSession, page: number, member: GuildMember): Promise<InteractionEditReplyOptions> {
    const readable = await this.access.readableChannels(member, new Set(session.hits.map((hit) => hit.image.channelId)), {
      nsfwAllowed: session.nsfwAllowed,
    });
    // A member can lose access between pages; an image purged since is gone too.
    session.hits = session.hits.filter(
      (hit) => readable.has(hit.image.channelId) && this.library.get(hit.image.collection, hit.image.id) !== undefined,
    );
    const { shown, current, pageCount } = await this.fillPage(session, page);
    if (shown.length === 0) return { content: `${session.title}\nNo matching images you can see.`, embeds: [], components: [] };
    return {
      content: `${session.title} (page ${current + 1} of ${pageCount})`,
      embeds: shown.map((item, i) => hitEmbed(item, current * RESULTS_PER_PAGE + i + 1)),
      components: pageCount > 1 ? [pageButtons(session.id, current, pageCount)] : [],
    };
  }

  /**
   * The hits of a page with fresh URLs. A hit whose message turns out to be deleted is purged
   * and the page is filled again from the hits after it, so the page stays full and the next
   * page starts where this one ends (no result is skipped).
   */
  private async fillPage(
    session: ResultSession,
    page: number,
  ): Promise<{ shown: ShownHit[]; current: number; pageCount: number }> {
    const urls = new Map<SearchHit, string>();
    for (;;) {
      const pageCount = Math.max(1, Math.ceil(session.hits.length / RESULTS_PER_PAGE));
      const current = Math.min(Math.max(page, 0), pageCount - 1);
      const slice = session.hits.slice(current * RESULTS_PER_PAGE, (current + 1) * RESULTS_PER_PAGE);
      const unread = slice.filter((hit) => !urls.has(hit));
      for (const { hit, url } of await this.media.fresh(unread)) urls.set(hit, url);
      const gone = new Set(unread.filter((hit) => !urls.has(hit)));
      if (gone.size === 0) return { shown: slice.map((hit) => ({ hit, url: urls.get(hit)! })), current, pageCount };
      session.hits = session.hits.filter((hit) => !gone.has(hit));
    }
  }
}

function hitEmbed({ hit, url }: ShownHit, rank: number): EmbedBuilder {
  const { image, score } = hit;
  const jump = `https://discord.com/channels/${image.collection}/${image.channelId}/${image.messageId}`;
  return new EmbedBuilder()
    .setTitle(`#${rank} · score ${score.toFixed(3)}`)
    .setURL(jump)
    .setDescription(`<@${image.authorId}> in <#${image.channelId}> · <t:${Math.floor(image.createdAt / 1000)}:d> · [Jump to message](${jump})`)
    .setImage(url);
}

function pageButtons(sessionId: string, page: number, pageCount: number): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${PAGE_BUTTON_PREFIX}:${sessionId}:${page - 1}`)
      .setLabel('Previous')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page === 0),
    new ButtonBuilder()
      .setCustomId(`${PAGE_BUTTON_PREFIX}:${sessionId}:${page + 1}`)
      .setLabel('Next')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page >= pageCount - 1),
  );
}
