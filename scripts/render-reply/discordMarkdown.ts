/**
 * The part of Discord's markdown a bot reply uses, as HTML: headings (`#`, `##`, `###`), small text (`-#`), quotes,
 * bold, italics, underline, strike, inline code, masked and bare links (http and https only), mentions shown as the
 * names they stand for, and `<t:…>` timestamps. Every piece of text is escaped; nothing in the input becomes markup.
 */

export interface MarkdownNames {
  /** Display name of a user, or undefined when unknown. */
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
  role(id: string): string | undefined;
  /** What `<t:…>` timestamps are shown relative to (`R`), and in which time zone. */
  now: Date;
  timeZone: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function markdownToHtml(text: string, names: MarkdownNames): string {
  return text
    .split('\n')
    .map((line) => {
      const block = /^(#{1,3}) (.*)$/.exec(line);
      if (block) return `<h${block[1]!.length + 2} class="md-h${block[1]!.length}">${inline(block[2]!, names)}</h${block[1]!.length + 2}>`;
      const small = /^-# (.*)$/.exec(line);
      if (small) return `<div class="md-small">${inline(small[1]!, names)}</div>`;
      const quote = /^> (.*)$/.exec(line);
      if (quote) return `<div class="md-quote">${inline(quote[1]!, names)}</div>`;
      return `<div class="md-line">${line === '' ? '<br>' : inline(line, names)}</div>`;
    })
    .join('');
}

const TOKEN = new RegExp(
  [
    /\*\*(?<bold>.+?)\*\*/.source,
    /__(?<underline>.+?)__/.source,
    /\*(?<italic>[^*\s](?:.*?[^*\s])?)\*/.source,
    /~~(?<strike>.+?)~~/.source,
    /`(?<code>[^`]+)`/.source,
    /\[(?<label>[^\]]+)\]\((?<href>https?:\/\/[^\s)]+)\)/.source,
    /<@!?(?<user>\d+)>/.source,
    /<@&(?<role>\d+)>/.source,
    /<#(?<channel>\d+)>/.source,
    /<t:(?<time>-?\d+)(?::(?<style>[tTdDfFR]))?>/.source,
    /(?<url>https?:\/\/[^\s<]+[^\s<.,:;"')\]])/.source,
  ].join('|'),
  'g',
);

/** One line of text with inline markdown only (an embed title, a field name). */
export function inlineMarkdownToHtml(text: string, names: MarkdownNames): string {
  return inline(text.replace(/\n/g, ' '), names);
}

function inline(text: string, names: MarkdownNames): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    html += escapeHtml(text.slice(last, match.index));
    html += token(match.groups ?? {}, names);
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

function token(g: Record<string, string | undefined>, names: MarkdownNames): string {
  if (g['bold'] !== undefined) return `<strong>${inline(g['bold'], names)}</strong>`;
  if (g['underline'] !== undefined) return `<u>${inline(g['underline'], names)}</u>`;
  if (g['italic'] !== undefined) return `<em>${inline(g['italic'], names)}</em>`;
  if (g['strike'] !== undefined) return `<s>${inline(g['strike'], names)}</s>`;
  if (g['code'] !== undefined) return `<code>${escapeHtml(g['code'])}</code>`;
  if (g['label'] !== undefined) return `<a href="${escapeHtml(g['href'] ?? '')}">${inline(g['label'], names)}</a>`;
  if (g['user'] !== undefined) return mention(`@${names.user(g['user']) ?? 'unknown-user'}`);
  if (g['role'] !== undefined) return mention(`@${names.role(g['role']) ?? 'unknown-role'}`);
  if (g['channel'] !== undefined) return mention(`#${names.channel(g['channel']) ?? 'unknown'}`);
  if (g['time'] !== undefined)
    return `<span class="timestamp">${escapeHtml(timestamp(Number(g['time']), g['style'] ?? 'f', names))}</span>`;
  return `<a href="${escapeHtml(g['url'] ?? '')}">${escapeHtml(g['url'] ?? '')}</a>`;
}

function mention(label: string): string {
  return `<span class="mention">${escapeHtml(label)}</span>`;
}

/** Discord's timestamp styles, in the en-US locale. */
export function timestamp(seconds: number, style: string, names: Pick<MarkdownNames, 'now' | 'timeZone'>): string {
  const date = new Date(seconds * 1000);
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone: names.timeZone, ...options }).format(date);
  switch (style) {
    case 't':
      return format({ hour: 'numeric', minute: '2-digit' });
    case 'T':
      return format({ hour: 'numeric', minute: '2-digit', second: '2-digit' });
    case 'd':
      return format({ month: '2-digit', day: '2-digit', year: 'numeric' });
    case 'D':
      return format({ month: 'long', day: 'numeric', year: 'numeric' });
    case 'F':
      return format({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
    case 'R':
      return relative(date, names.now);
    default:
      return format({ month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
  }
}

function relative(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
  return new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' }).format(Math.round(seconds / size), unit);
}
