import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ContainerBuilder,
  MediaGalleryBuilder,
  MediaGalleryItemBuilder,
  SeparatorBuilder,
  StringSelectMenuBuilder,
  StringSelectMenuOptionBuilder,
  TextDisplayBuilder,
} from 'discord.js';
import { componentsMessage } from '../componentsMessage.js';
import type { Messages } from '../messages/messages.js';
import type { HitNote } from './hitNotes.js';
import type { ResultGroup } from './hitSearch.js';
import { entriesText, fileNameOf, resultEntry, type ResultEntry } from './resultLine.js';
import { clippedText } from '../messages/clippedText.js';
import { customId, type ResultSession } from './resultSessions.js';

/** One page of a session, its images at URLs that work now. */
export interface GalleryPageContent {
  session: ResultSession;
  shown: ReadonlyArray<{ group: ResultGroup; url: string }>;
  page: number;
  pageCount: number;
  notes: readonly HitNote[];
  messages: Messages;
}

/** Discord's limit for all the text of a Components V2 message. */
const TEXT_LIMIT = 4000;

/**
 * A results page in Components V2: the title, a gallery of the page's images in rank order,
 * one line per result under it; then the controls: More like #n and Show #n (select menus)
 * and Previous/Next. `withControls: false` is the page as it stays once the session ended.
 */
export function galleryPage(content: GalleryPageContent, withControls = true) {
  const { session, shown, page, pageCount, messages } = content;
  const first = page * session.perPage + 1;
  const heading = `### ${session.title}\n-# ${messages.text('results.pageOf', { page: page + 1, pages: pageCount, count: session.groups.length })}`;
  const entries = shown.map(({ group }, i) => resultEntry(first + i, group, session.kind, content.notes, messages));
  const container = new ContainerBuilder()
    .addTextDisplayComponents(new TextDisplayBuilder().setContent(heading))
    .addMediaGalleryComponents(
      new MediaGalleryBuilder().addItems(
        shown.map(({ group, url }, i) =>
          new MediaGalleryItemBuilder()
            .setURL(url)
            .setDescription(clippedText(`#${first + i} · ${fileNameOf(group.hits[0]!.image)}`, 1024)),
        ),
      ),
    )
    .addSeparatorComponents(new SeparatorBuilder())
    .addTextDisplayComponents(new TextDisplayBuilder().setContent(withinLimit(entries, TEXT_LIMIT - heading.length)));
  const rows = withControls ? controls(content, first) : [];
  return componentsMessage([container, ...rows]);
}

/** The entries as text within `room` characters: past it, notes give way, from the last result up. */
function withinLimit(entries: readonly ResultEntry[], room: number): string {
  const kept = [...entries];
  for (let i = kept.length - 1; i >= 0 && entriesText(kept).length > room; i--) kept[i] = { line: kept[i]!.line, notes: undefined };
  return entriesText(kept);
}

/** A page with no result left that the member may see (they lost access, or the images are gone). */
export function emptyPage(session: ResultSession, messages: Messages) {
  const container = new ContainerBuilder().addTextDisplayComponents(
    new TextDisplayBuilder().setContent(`### ${session.title}\n${messages.text('results.noneVisible')}`),
  );
  return componentsMessage([container]);
}

function controls({ session, shown, page, pageCount, messages }: GalleryPageContent, first: number) {
  const choices = (kind: 'more' | 'show') =>
    shown.map(({ group }, i) =>
      new StringSelectMenuOptionBuilder()
        .setLabel(messages.text(kind === 'more' ? 'results.moreLikeOption' : 'results.showOption', { number: first + i }))
        .setDescription(clippedText(fileNameOf(group.hits[0]!.image), 100))
        .setValue(String(group.key)),
    );
  const select = (kind: 'more' | 'show') =>
    new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
      new StringSelectMenuBuilder()
        .setCustomId(customId(session, { kind }))
        .setPlaceholder(messages.text(kind === 'more' ? 'results.moreLikePlaceholder' : 'results.showPlaceholder'))
        .addOptions(choices(kind)),
    );
  const rows: Array<ActionRowBuilder<StringSelectMenuBuilder> | ActionRowBuilder<ButtonBuilder>> = [select('more'), select('show')];
  if (pageCount > 1) {
    rows.push(
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(customId(session, { kind: 'page', page: page - 1 }))
          .setLabel(messages.text('results.previous'))
          .setStyle(ButtonStyle.Secondary)
          .setDisabled(page === 0),
        new ButtonBuilder()
          .setCustomId(customId(session, { kind: 'page', page: page + 1 }))
          .setLabel(messages.text('results.next'))
          .setStyle(ButtonStyle.Secondary)
          .setDisabled(page >= pageCount - 1),
      ),
    );
  }
  return rows;
}
