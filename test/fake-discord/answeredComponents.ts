import { createHash } from 'node:crypto';
import { eachComponent } from './componentTree.js';

/**
 * Components as Discord answers with them, which is more than a bot sends: every component has a numeric `id` (one the
 * bot left out gets the next number not yet taken, in reading order), optional fields have their defaults, and each
 * media reference is unfurled (an `attachment://name` becomes that file's URL).
 */

/** What Discord says about a media URL it unfurled. */
export interface UnfurledMedia {
  id: string;
  url: string;
  proxy_url: string;
  width: number | null;
  height: number | null;
  content_type: string | null;
  attachment_id?: string;
}

type Component = Record<string, unknown> & { type?: number; id?: unknown };

export function answeredComponents(components: readonly unknown[], unfurl: (url: string) => UnfurledMedia): unknown[] {
  const copy = structuredClone(components) as unknown[];
  const all = [...eachComponent(copy)] as Component[];
  const taken = new Set(all.map((c) => c.id).filter((id): id is number => typeof id === 'number'));
  let next = 1;
  for (const component of all) {
    if (typeof component.id !== 'number') {
      while (taken.has(next)) next++;
      component.id = next;
      taken.add(next);
    }
    fillDefaults(component, unfurl);
  }
  return copy;
}

function fillDefaults(component: Component, unfurl: (url: string) => UnfurledMedia): void {
  const media = (holder: { url?: unknown } | undefined) => unfurl(typeof holder?.url === 'string' ? holder.url : '');
  switch (component.type) {
    case 17:
      component['accent_color'] ??= null;
      component['spoiler'] ??= false;
      break;
    case 14:
      component['spacing'] ??= 1;
      component['divider'] ??= true;
      break;
    case 12:
      component['items'] = ((component['items'] ?? []) as Array<Record<string, unknown>>).map((item) => ({
        ...item,
        media: media(item['media'] as { url?: unknown }),
        description: item['description'] ?? null,
        spoiler: item['spoiler'] ?? false,
      }));
      break;
    case 11:
      component['media'] = media(component['media'] as { url?: unknown });
      component['description'] ??= null;
      component['spoiler'] ??= false;
      break;
    case 13:
      component['file'] = media(component['file'] as { url?: unknown });
      component['name'] ??= null;
      component['size'] ??= null;
      component['spoiler'] ??= false;
      break;
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      component['min_values'] ??= 1;
      component['max_values'] ??= 1;
      break;
  }
}

/** Discord gives an unfurled external URL an id of its own; a stable one derived from the URL serves here. */
export function externalMediaId(url: string): string {
  return BigInt(`0x${createHash('sha256').update(url).digest('hex').slice(0, 15)}`).toString();
}
