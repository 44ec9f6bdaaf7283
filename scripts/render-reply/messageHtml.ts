import type { APIEmbed } from 'discord.js';
import { componentsHtml } from './componentsHtml.js';
import { escapeHtml, markdownToHtml, type MarkdownNames } from './discordMarkdown.js';
import { embedHtml } from './embedHtml.js';
import { imageTag, type ImageLookup } from './imageHtml.js';
import { PAGE_STYLE } from './pageStyle.js';

/**
 * A bot message, as the fake Discord recorded it, drawn as a Discord-like HTML page: the command line it answers, the
 * bot's name and APP tag, then content, embeds and attached images, or, with IS_COMPONENTS_V2, its components alone;
 * ephemeral replies say "Only you can see this". Images come inline from `image`; nothing is fetched by the page.
 */

const IS_COMPONENTS_V2 = 1 << 15;
const ATTACHMENT_BOX = { width: 400, height: 300 };

/** The fields of a recorded bot message (BotMessageRecord or one of its versions) that show. */
export interface RecordedMessage {
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: Array<{ filename: string; contentType: string | null }>;
  flags: number;
  ephemeral: boolean;
}

export interface MessageContext extends MarkdownNames {
  botName: string;
  sentAt: Date;
  /** The slash command the message answers, shown above it as Discord does. */
  invokedBy?: { userName: string; command: string };
  image: ImageLookup;
}

export function messageHtml(message: RecordedMessage, context: MessageContext): string {
  const v2 = (message.flags & IS_COMPONENTS_V2) !== 0;
  const parts: string[] = [];
  if (!v2 && message.content) parts.push(`<div class="content">${markdownToHtml(message.content, context)}</div>`);
  if (!v2) parts.push(...message.embeds.map((embed) => embedHtml(embed, context, context.image)));
  if (!v2)
    parts.push(...looseImages(message).map((name) => imageTag(context.image(`attachment://${name}`), ATTACHMENT_BOX, 'attachment', name)));
  if (message.components.length > 0)
    parts.push(`<div class="components">${componentsHtml(message.components, context, context.image)}</div>`);
  if (message.ephemeral) parts.push(`<div class="ephemeral-note">${eyeIcon()}Only you can see this • <a>Dismiss message</a></div>`);
  const invoked = context.invokedBy
    ? `<div class="invoked"><span class="who">@${escapeHtml(context.invokedBy.userName)}</span> used <span class="command">/${escapeHtml(context.invokedBy.command)}</span></div>`
    : '';
  const sentAt = new Intl.DateTimeFormat('en-US', { timeZone: context.timeZone, hour: 'numeric', minute: '2-digit' }).format(
    context.sentAt,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(context.botName)}</title><style>${PAGE_STYLE}</style></head>
<body><div class="message">${invoked}
<div class="row"><div class="avatar">${escapeHtml([...context.botName][0]?.toUpperCase() ?? '?')}</div><div class="body">
<div class="header"><span class="name">${escapeHtml(context.botName)}</span><span class="app-tag">APP</span><span class="time">Today at ${escapeHtml(sentAt)}</span></div>
${parts.join('\n')}
</div></div></div></body></html>
`;
}

/** Image files a message carries without an embed showing them: Discord shows them below the text. */
function looseImages(message: RecordedMessage): string[] {
  const shown = new Set(message.embeds.flatMap((e) => [e.image?.url, e.thumbnail?.url]).filter((url): url is string => url !== undefined));
  return message.attachments
    .filter((a) => (a.contentType ?? '').startsWith('image/') && !shown.has(`attachment://${a.filename}`))
    .map((a) => a.filename);
}

const eyeIcon = () =>
  '<svg viewBox="0 0 24 24"><path d="M12 5C5.6 5 2 12 2 12s3.6 7 10 7 10-7 10-7-3.6-7-10-7zm0 11a4 4 0 1 1 0-8 4 4 0 0 1 0 8z"/></svg>';
