import type { APIEmbed } from 'discord.js';
import { escapeHtml, inlineMarkdownToHtml, markdownToHtml, timestamp, type MarkdownNames } from './discordMarkdown.js';
import { imageTag, type ImageLookup } from './imageHtml.js';

/** A rich embed as Discord draws it: colour bar, author, title, description, fields, image, thumbnail, footer. */

/** Discord shows an embed's image at most this size, and its thumbnail at most 80 px square. */
const IMAGE_BOX = { width: 400, height: 300 };
const THUMBNAIL_BOX = { width: 80, height: 80 };

export function embedHtml(embed: APIEmbed, names: MarkdownNames, image: ImageLookup): string {
  const bar = embed.color === undefined ? '' : ` style="border-left-color:#${embed.color.toString(16).padStart(6, '0')}"`;
  const parts: string[] = [];
  if (embed.author?.name) parts.push(`<div class="embed-author">${escapeHtml(embed.author.name)}</div>`);
  if (embed.title) {
    const title = inlineMarkdownToHtml(embed.title, names);
    parts.push(`<div class="embed-title">${isWebUrl(embed.url) ? `<a href="${escapeHtml(embed.url)}">${title}</a>` : title}</div>`);
  }
  if (embed.description) parts.push(`<div class="embed-description">${markdownToHtml(embed.description, names)}</div>`);
  if (embed.fields?.length) {
    const fields = embed.fields.map(
      (field) =>
        `<div class="embed-field${field.inline ? '' : ' wide'}"><div class="embed-field-name">${inlineMarkdownToHtml(field.name, names)}</div>` +
        `<div>${markdownToHtml(field.value, names)}</div></div>`,
    );
    parts.push(`<div class="embed-fields">${fields.join('')}</div>`);
  }
  if (embed.image?.url) parts.push(imageTag(image(embed.image.url), IMAGE_BOX, 'embed-image'));
  const footer = [embed.footer?.text, embed.timestamp ? timestamp(Date.parse(embed.timestamp) / 1000, 'f', names) : undefined].filter(
    Boolean,
  );
  if (footer.length > 0) parts.push(`<div class="embed-footer">${escapeHtml(footer.join(' • '))}</div>`);
  const thumbnail = embed.thumbnail?.url ? imageTag(image(embed.thumbnail.url), { ...THUMBNAIL_BOX, cover: true }, 'embed-thumbnail') : '';
  return `<div class="embed"${bar}><div class="embed-main">${parts.join('')}</div>${thumbnail}</div>`;
}

/** Only web links become links; anything else (`javascript:`, `data:`) stays text. */
export function isWebUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}
