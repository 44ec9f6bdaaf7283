import { invalidFormBody } from '../errors.js';
import { ok, type Router } from '../router.js';
import type { World } from '../world.js';

/** POST /attachments/refresh-urls: fresh signed URLs for stale attachment URLs. */

const ATTACHMENT_PATH = /^\/attachments\/\d+\/\d+\/[^/]+$/;

export function registerAttachmentRoutes(router: Router, world: World): void {
  router.add('POST', '/attachments/refresh-urls', (req) => {
    const urls = ((req.body ?? {}) as { attachment_urls?: unknown }).attachment_urls;
    if (!Array.isArray(urls) || urls.length === 0 || urls.length > 50 || urls.some((u) => typeof u !== 'string')) {
      throw invalidFormBody({
        attachment_urls: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 50 in length.' }] },
      });
    }
    return ok({
      refreshed_urls: (urls as string[]).map((original) => ({ original, refreshed: refresh(world, original) })),
    });
  });
}

/** Signing is stateless on Discord: any URL of an attachment path gets a fresh signature (a deleted file still 404s). */
function refresh(world: World, original: string): string {
  let url: URL;
  try {
    url = new URL(original);
  } catch {
    return original;
  }
  if (url.origin !== world.cdn.origin() || !ATTACHMENT_PATH.test(url.pathname)) return original;
  const known = world.cdn.attachmentOf(original);
  return known ? world.cdn.urlFor(known) : world.cdn.sign(url.pathname);
}
