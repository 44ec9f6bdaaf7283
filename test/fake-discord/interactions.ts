import { randomBytes } from 'node:crypto';
import type { BotMessageRecord, GroundTruth, MessageView } from './groundTruth.js';

/** Interactions a test started, what the bot answered, and waiting for that answer. */

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component. */
  type: number;
  commandType: number | null;
  name: string | null;
  customId: string | null;
  guildId: string | null;
  channelId: string;
  userId: string;
  createdAt: number;
  /** For components: the message the component sits on. */
  sourceMessageId: string | null;
  callbacks: { type: number; at: number; data: unknown }[];
  /** The message `@original` names. */
  originalMessageId: string | null;
  followupIds: string[];
  modal: object | null;
  /** The bot answered with something a person sees (a message, an edit, a follow-up, a modal or a deletion). */
  answered: boolean;
  /** The bot answered too late (after the 3 s window) and got 10062 Unknown interaction. */
  expired: boolean;
  listeners: Set<() => void>;
}

/**
 * The bot's answer to an interaction, as the user who started it sees it. Its message fields are
 * the current `@original` message's (content, embeds, components, attachments, media URLs, flags),
 * empty when there is none.
 */
export interface InteractionReply extends Omit<MessageView, 'at'> {
  interactionId: string;
  /** First callback: 4 message, 5 deferred message, 6 deferred update, 7 update, 9 modal; null if none. */
  callbackType: number | null;
  deferred: boolean;
  ephemeral: boolean;
  original: BotMessageRecord | null;
  followups: BotMessageRecord[];
  modal: object | null;
  expired: boolean;
  /** Time from the interaction to the bot's first callback (Discord allows 3 s). */
  respondedAfterMs: number | null;
}

export interface WaitOptions {
  /** Give up after this long (default 60 s: generous, for busy shared machines). */
  timeoutMs?: number;
  /** Once answered, wait until the bot has been quiet this long (default 150 ms), so later edits are included. */
  settleMs?: number;
  /** Keep waiting until the reply satisfies this (e.g. a final edit after progress updates). */
  until?: (reply: InteractionReply) => boolean;
}

export class InteractionTimeoutError extends Error {
  override name = 'InteractionTimeoutError';
  constructor(
    readonly reply: InteractionReply,
    timeoutMs: number,
    /** Answers of the bot to this interaction that were refused as Discord would refuse them (see RequestRecord.refusal). */
    readonly refusals: string[] = [],
  ) {
    super(
      `the bot did not answer interaction ${reply.interactionId} within ${timeoutMs} ms ` +
        `(callback: ${reply.callbackType ?? 'none'}, followups: ${reply.followups.length}); ` +
        (refusals.length > 0 ? `the fake refused ${refusals.length} of its requests:\n${refusals.join('\n')}` : "check the bot's logs"),
    );
  }
}

export class Interactions {
  private readonly byId = new Map<string, InteractionRecord>();

  constructor(private readonly truth: GroundTruth) {}

  create(
    fields: Omit<
      InteractionRecord,
      'token' | 'createdAt' | 'callbacks' | 'originalMessageId' | 'followupIds' | 'modal' | 'answered' | 'expired' | 'listeners'
    >,
  ): InteractionRecord {
    const record: InteractionRecord = {
      ...fields,
      token: `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`,
      createdAt: Date.now(),
      callbacks: [],
      originalMessageId: fields.sourceMessageId,
      followupIds: [],
      modal: null,
      answered: false,
      expired: false,
      listeners: new Set(),
    };
    this.byId.set(record.id, record);
    return record;
  }

  get(id: string): InteractionRecord | undefined {
    return this.byId.get(id);
  }

  byToken(token: string): InteractionRecord | undefined {
    for (const record of this.byId.values()) if (record.token === token) return record;
    return undefined;
  }

  all(): InteractionRecord[] {
    return [...this.byId.values()];
  }

  /** Refused requests of the bot for this interaction: its callback (by id) and webhook calls (by token). */
  private refusals(record: InteractionRecord): string[] {
    return this.truth.requests
      .filter((r) => r.refusal !== null && (r.path.includes(`/interactions/${record.id}/`) || r.path.includes(record.token)))
      .map((r) => r.refusal ?? '');
  }

  /** Something happened to this interaction's answer: wake waiters. */
  touch(record: InteractionRecord, answered: boolean): void {
    if (answered) record.answered = true;
    for (const listener of [...record.listeners]) listener();
  }

  reply(record: InteractionRecord): InteractionReply {
    const first = record.callbacks[0]?.type ?? null;
    const original = record.originalMessageId ? (this.truth.message(record.originalMessageId) ?? null) : null;
    const followups = record.followupIds.map((id) => this.truth.message(id)).filter((m) => m !== undefined);
    const deferredFlags = (record.callbacks[0]?.data as { flags?: number } | undefined)?.flags ?? 0;
    return {
      interactionId: record.id,
      callbackType: first,
      deferred: first === 5 || first === 6,
      ephemeral: original ? original.ephemeral : (deferredFlags & 64) !== 0,
      content: original?.content ?? '',
      embeds: original?.embeds ?? [],
      components: original?.components ?? [],
      attachments: original?.attachments ?? [],
      mediaUrls: original?.mediaUrls ?? [],
      flags: original?.flags ?? 0,
      original,
      followups,
      modal: record.modal,
      expired: record.expired,
      respondedAfterMs: record.callbacks[0] ? record.callbacks[0].at - record.createdAt : null,
    };
  }

  wait(record: InteractionRecord, options: WaitOptions = {}): Promise<InteractionReply> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const settleMs = options.settleMs ?? 150;
    return new Promise((resolve, reject) => {
      let settle: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(deadline);
        clearTimeout(settle);
        record.listeners.delete(check);
      };
      const deadline = setTimeout(() => {
        done();
        reject(new InteractionTimeoutError(this.reply(record), timeoutMs, this.refusals(record)));
      }, timeoutMs);
      const check = () => {
        clearTimeout(settle);
        if (!record.answered && !record.expired) return;
        if (options.until && !options.until(this.reply(record))) return;
        settle = setTimeout(() => {
          done();
          resolve(this.reply(record));
        }, settleMs);
      };
      record.listeners.add(check);
      check();
    });
  }
}
