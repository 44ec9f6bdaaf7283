import { escapeHtml, markdownToHtml, type MarkdownNames } from './discordMarkdown.js';
import { imageTag, type ImageLookup } from './imageHtml.js';

/**
 * Message components as Discord draws them: action rows of buttons and select menus, and the Components V2 layout
 * (containers, text displays, media gallery grids, sections with a thumbnail or button, separators, files).
 */

type Component = Record<string, unknown> & { type?: number };

const GALLERY_WIDTH = 520;
/** Rows of a gallery of 1 to 10 items (how many in each row), close to how Discord arranges them. */
const GALLERY_ROWS: Record<number, number[]> = {
  1: [1],
  2: [2],
  3: [1, 2],
  4: [2, 2],
  5: [2, 3],
  6: [3, 3],
  7: [1, 3, 3],
  8: [2, 3, 3],
  9: [3, 3, 3],
  10: [1, 3, 3, 3],
};
const BUTTON_STYLES: Record<number, string> = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger', 5: 'link', 6: 'primary' };

export function componentsHtml(components: readonly unknown[], names: MarkdownNames, image: ImageLookup): string {
  return components.map((c) => componentHtml(c as Component, names, image)).join('');
}

function componentHtml(c: Component, names: MarkdownNames, image: ImageLookup): string {
  const children = () => componentsHtml((c['components'] as unknown[] | undefined) ?? [], names, image);
  switch (c.type) {
    case 1:
      return `<div class="action-row">${children()}</div>`;
    case 2:
      return buttonHtml(c);
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      return selectHtml(c);
    case 9:
      return `<div class="section"><div class="section-text">${children()}</div>${accessoryHtml(c['accessory'] as Component | undefined, image)}</div>`;
    case 10:
      return `<div class="text-display">${markdownToHtml(textField(c, 'content'), names)}</div>`;
    case 12:
      return galleryHtml((c['items'] as Array<{ media?: { url?: string }; description?: string | null }> | undefined) ?? [], image);
    case 13:
      return `<div class="file">${fileIcon()}<span>${escapeHtml(fileName(c))}</span></div>`;
    case 14: {
      const classes = ['separator', c['spacing'] === 2 ? 'large' : '', c['divider'] === false ? '' : 'divider'].filter(Boolean).join(' ');
      return `<div class="${classes}"></div>`;
    }
    case 17: {
      const accent =
        typeof c['accent_color'] === 'number' ? ` accent" style="--accent:#${c['accent_color'].toString(16).padStart(6, '0')}` : '';
      return `<div class="container${accent}">${children()}</div>`;
    }
    default:
      return `<div class="unknown">(a component of type ${escapeHtml(String(c.type))} this page does not draw)</div>`;
  }
}

function buttonHtml(c: Component): string {
  const style = BUTTON_STYLES[Number(c['style'])] ?? 'secondary';
  const emoji = (c['emoji'] as { name?: string } | undefined)?.name;
  const label = [emoji, c['label']].filter((part) => typeof part === 'string' && part !== '').join(' ');
  const external = style === 'link' ? ` ${linkIcon()}` : '';
  return `<span class="button ${style}${c['disabled'] ? ' disabled' : ''}">${escapeHtml(label)}${external}</span>`;
}

function selectHtml(c: Component): string {
  const options = (c['options'] as Array<{ label?: string; default?: boolean }> | undefined) ?? [];
  const chosen = options.filter((o) => o.default).map((o) => o.label ?? '');
  const shown = chosen.length > 0 ? chosen.join(', ') : textField(c, 'placeholder', 'Make a selection');
  return `<div class="select${c['disabled'] ? ' disabled' : ''}"><span>${escapeHtml(shown)}</span>${chevron()}</div>`;
}

function accessoryHtml(accessory: Component | undefined, image: ImageLookup): string {
  if (!accessory) return '';
  if (accessory.type === 2) return buttonHtml(accessory);
  const media = accessory['media'] as { url?: string } | undefined;
  return imageTag(
    image(media?.url ?? ''),
    { width: 85, height: 85, cover: true },
    'accessory-thumbnail',
    textField(accessory, 'description'),
  );
}

function galleryHtml(items: Array<{ media?: { url?: string }; description?: string | null }>, image: ImageLookup): string {
  const rows = GALLERY_ROWS[items.length] ?? GALLERY_ROWS[10]!;
  let next = 0;
  const html = rows.map((count) => {
    const height = count === 1 ? 300 : count === 2 ? 220 : 160;
    const width = Math.floor((GALLERY_WIDTH - 4 * (count - 1)) / count);
    const cells = items
      .slice(next, (next += count))
      .map((item) => imageTag(image(item.media?.url ?? ''), { width, height, cover: true }, 'gallery-item', item.description ?? ''));
    return `<div class="gallery-row">${cells.join('')}</div>`;
  });
  return `<div class="gallery" style="width:${GALLERY_WIDTH}px">${html.join('')}</div>`;
}

/** A component's text field, or the fallback where it has none. */
function textField(c: Component, field: string, fallback = ''): string {
  const value = c[field];
  return typeof value === 'string' ? value : fallback;
}

function fileName(c: Component): string {
  if (typeof c['name'] === 'string') return c['name'];
  const url = (c['file'] as { url?: string } | undefined)?.url ?? '';
  return (
    url
      .replace(/^attachment:\/\//, '')
      .split('/')
      .pop()
      ?.split('?')[0] ?? 'file'
  );
}

const linkIcon = () =>
  '<svg width="14" height="14" viewBox="0 0 24 24" fill="currentColor"><path d="M15 2h7v7h-2V5.4l-8.3 8.3-1.4-1.4L18.6 4H15zM4 6h7v2H6v10h10v-5h2v7H4z"/></svg>';
const chevron = () => '<svg width="18" height="18" viewBox="0 0 24 24" fill="#dbdee1"><path d="M7 10l5 5 5-5z"/></svg>';
const fileIcon = () =>
  '<svg width="24" height="30" viewBox="0 0 24 30" fill="#949ba4"><path d="M0 2a2 2 0 0 1 2-2h13l9 9v19a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2z"/></svg>';
