import type { Collection, Message, TextBasedChannel } from 'discord.js';

/** Discord hands out history 100 messages a request at most. */
export const HISTORY_PAGE_SIZE = 100;

type HistoryChannel = TextBasedChannel & { messages: { fetch(options: object): Promise<Collection<string, Message>> } };

/** Pages of a channel's history, newest first, starting below `before` (or at the newest message). */
export async function* pagesBackwards(channel: HistoryChannel, before: string | undefined): AsyncGenerator<Message[]> {
  let cursor = before;
  for (;;) {
    const page = await channel.messages.fetch({
      limit: HISTORY_PAGE_SIZE,
      ...(cursor === undefined ? {} : { before: cursor }),
      cache: false,
    });
    const messages = [...page.values()].sort(newestFirst);
    if (messages.length === 0) return;
    yield messages;
    if (messages.length < HISTORY_PAGE_SIZE) return;
    cursor = messages.at(-1)!.id;
  }
}

/** Pages of the messages posted after `after`, oldest first (catch-up after downtime). */
export async function* pagesForwards(channel: HistoryChannel, after: string): AsyncGenerator<Message[]> {
  let cursor = after;
  for (;;) {
    const page = await channel.messages.fetch({ limit: HISTORY_PAGE_SIZE, after: cursor, cache: false });
    const messages = [...page.values()].sort(newestFirst).reverse();
    if (messages.length === 0) return;
    yield messages;
    if (messages.length < HISTORY_PAGE_SIZE) return;
    cursor = messages.at(-1)!.id;
  }
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function newestFirst(a: Message, b: Message): number {
  return compareSnowflakes(b.id, a.id);
}
