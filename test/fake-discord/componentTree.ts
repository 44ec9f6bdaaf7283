/** A message's components as a tree: action rows and containers hold components, sections hold texts and an accessory. */

export interface ComponentLike {
  type?: number;
  content?: unknown;
  components?: unknown;
  accessory?: unknown;
}

/** Every component at every depth: rows' and containers' children, sections' texts and accessory. */
export function* eachComponent(components: unknown): Generator<ComponentLike> {
  if (!Array.isArray(components)) return;
  for (const item of components as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const component = item as ComponentLike;
    yield component;
    yield* eachComponent(component.components);
    if (component.accessory) yield* eachComponent([component.accessory]);
  }
}

/** The media URLs components show, in reading order: gallery items, thumbnails, files. */
export function componentMediaUrls(components: unknown): string[] {
  const urls: string[] = [];
  const add = (media: unknown) => {
    const url = (media as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string') urls.push(url);
  };
  for (const component of eachComponent(components)) {
    const fields = component as ComponentLike & { items?: { media?: unknown }[]; media?: unknown; file?: unknown };
    if (component.type === 12) for (const item of fields.items ?? []) add(item.media);
    if (component.type === 11) add(fields.media);
    if (component.type === 13) add(fields.file);
  }
  return urls;
}
