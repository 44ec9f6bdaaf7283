import type { GuildMember } from 'discord.js';
import type { SearchHit } from '../../library/imageLibrary.js';
import { messagesFor } from '../messages/messages.js';
import { emptyPage, galleryPage, type GalleryPageContent } from './galleryPage.js';
import type { HitNote } from './hitNotes.js';
import type { HitSearch, ResultGroup } from './hitSearch.js';
import type { ResultMedia } from './resultMedia.js';
import type { ResultSession } from './resultSessions.js';

/**
 * The pages of a session as its member may see them now: every page re-checks what they may
 * read (HitSearch), re-reads the shown results' messages for working URLs (ResultMedia, which
 * forgets deleted ones the way live deletions are forgotten), and refills the page from the
 * results after it, so the page stays full and no result is skipped.
 */
export class ResultPages {
  /** The page each session shows now, so that retiring it keeps the page and drops the controls. */
  private readonly shown = new WeakMap<ResultSession, GalleryPageContent>();

  constructor(
    private readonly hits: HitSearch,
    private readonly media: ResultMedia,
    private readonly notes: readonly HitNote[],
  ) {}

  async render(session: ResultSession, page: number, member: GuildMember) {
    const messages = messagesFor(session.locale);
    session.groups = await this.hits.recheck(member, { nsfwAllowed: session.nsfwAllowed }, session.groups);
    const filled = await this.fill(session, page);
    if (filled.shown.length === 0) return emptyPage(session, messages);
    const content: GalleryPageContent = { session, ...filled, notes: this.notes, messages };
    this.shown.set(session, content);
    return galleryPage(content);
  }

  /** The page last shown, without its controls (the session ended). */
  retired(session: ResultSession) {
    const content = this.shown.get(session);
    return content === undefined ? emptyPage(session, messagesFor(session.locale)) : galleryPage(content, false);
  }

  /** A result's best copy with a working URL, or undefined when its message is gone (then it is forgotten). */
  async freshest(group: ResultGroup): Promise<{ hit: SearchHit; url: string } | undefined> {
    return (await this.media.fresh([group.hits[0]!]))[0];
  }

  private async fill(session: ResultSession, page: number): Promise<Omit<GalleryPageContent, 'session' | 'notes' | 'messages'>> {
    const urls = new Map<ResultGroup, string>();
    for (;;) {
      const pageCount = Math.max(1, Math.ceil(session.groups.length / session.perPage));
      const current = Math.min(Math.max(page, 0), pageCount - 1);
      const slice = session.groups.slice(current * session.perPage, (current + 1) * session.perPage);
      const unread = slice.filter((group) => !urls.has(group));
      const fresh = await this.media.fresh(unread.map((group) => group.hits[0]!));
      const byHit = new Map(fresh.map(({ hit, url }) => [hit, url]));
      for (const group of unread) {
        const url = byHit.get(group.hits[0]!);
        if (url !== undefined) urls.set(group, url);
      }
      const gone = new Set(unread.filter((group) => !urls.has(group)));
      if (gone.size === 0) return { shown: slice.map((group) => ({ group, url: urls.get(group)! })), page: current, pageCount };
      // A result whose best copy is gone shows its next copy, if the member may see one.
      session.groups = session.groups.flatMap((group) => {
        if (!gone.has(group)) return [group];
        return group.hits.length > 1 ? [{ ...group, hits: group.hits.slice(1) }] : [];
      });
    }
  }
}
