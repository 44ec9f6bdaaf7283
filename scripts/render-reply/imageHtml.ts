import { escapeHtml } from './discordMarkdown.js';

/** A picture ready to put in the page: a data URL and its size in pixels. */
export interface ShownImage {
  src: string;
  width: number;
  height: number;
}

/** Where the page's pictures come from: by the URL the payload names (`attachment://name` or a CDN URL). */
export type ImageLookup = (url: string) => ShownImage | undefined;

/**
 * An `<img>` scaled to fit `box` as Discord scales it (never enlarged), or with `cover` filling the box exactly (gallery
 * cells, thumbnails). A picture that could not be had is a labelled placeholder of the same size.
 */
export function imageTag(
  image: ShownImage | undefined,
  box: { width: number; height: number; cover?: boolean },
  className: string,
  alt = '',
): string {
  const scale = image && !box.cover ? Math.min(1, box.width / image.width, box.height / image.height) : 1;
  const width = image && !box.cover ? Math.max(1, Math.round(image.width * scale)) : box.width;
  const height = image && !box.cover ? Math.max(1, Math.round(image.height * scale)) : box.height;
  const size = `width:${width}px;height:${height}px`;
  if (!image) return `<div class="${className} missing-image" style="${size}">image unavailable</div>`;
  return `<img class="${className}" style="${size}" src="${escapeHtml(image.src)}" alt="${escapeHtml(alt)}">`;
}
