import type { InteractionReply, RequestRecord } from '../../test/fake-discord/index.js';

/**
 * Where a command's time went, from the loopback Discord's record of every request. The bot's
 * own time runs from the moment the interaction was sent to the moment the bot sent the answer
 * (the request that replaced "thinking…"), minus the time it spent waiting on Discord: the
 * round trips of the requests that answer depended on (its own callback and edits, and the
 * re-reads of the messages it shows, refresh-urls, and CDN downloads made while it ran),
 * counted once where they overlap.
 */

export interface CommandTiming {
  /** From sending the interaction to the bot sending its answer. */
  totalMs: number;
  /** Waiting on Discord inside that span. */
  discordMs: number;
  /** totalMs − discordMs. */
  botMs: number;
}

/** Requests that serve a command but carry no trace of which (re-reads, URL refreshes, CDN files). */
const SHARED = /^\/api\/v10\/(channels\/\d+\/messages\/\d+|attachments\/refresh-urls)$|^\/attachments\//;

export function commandTiming(reply: InteractionReply, sentAt: number, requests: readonly RequestRecord[]): CommandTiming | null {
  const own = requests.filter((request) => request.path.includes(`/interactions/${reply.interactionId}/`));
  const token = own.map((request) => /\/interactions\/\d+\/([^/]+)\/callback$/.exec(request.path)?.[1]).find(Boolean);
  const edits = token === undefined ? [] : requests.filter((request) => request.path.includes(`/${token}/messages/`));
  const answer = [...edits, ...own].filter((request) => answers(request)).sort((a, b) => a.startedAt - b.startedAt)[0];
  if (answer === undefined) return null;
  const shown = new Set(reply.embeds.flatMap((embed) => /\/channels\/\d+\/\d+\/(\d+)$/.exec(embed.url ?? '')?.[1] ?? []));
  const waited = [...own, ...edits]
    .filter((request) => request !== answer)
    .concat(requests.filter((request) => SHARED.test(request.path) && dependsOn(request, shown)));
  const totalMs = answer.startedAt - sentAt;
  const discordMs = unionWithin(waited, sentAt, answer.startedAt);
  return { totalMs, discordMs, botMs: totalMs - discordMs };
}

/** A request that shows the person an answer: an edit of @original, a follow-up, or a direct reply. */
function answers(request: RequestRecord): boolean {
  if (request.method === 'PATCH' || (request.method === 'POST' && /\/webhooks\//.test(request.path))) return true;
  const type = (request.body as { type?: number } | null)?.type;
  return request.path.endsWith('/callback') && (type === 4 || type === 7);
}

function dependsOn(request: RequestRecord, shown: ReadonlySet<string>): boolean {
  const message = /\/messages\/(\d+)$/.exec(request.path)?.[1];
  return message === undefined || shown.has(message);
}

/** Total length of the union of the requests' [start, finish] intervals, clipped to [from, to]. */
function unionWithin(requests: readonly RequestRecord[], from: number, to: number): number {
  const spans = requests
    .map((request) => [Math.max(from, request.startedAt), Math.min(to, request.finishedAt ?? to)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [s, e] of spans) {
    if (!(s <= end)) {
      if (end > start) total += end - start;
      [start, end] = [s, e];
    } else if (e > end) {
      end = e;
    }
  }
  if (end > start) total += end - start;
  return total;
}
