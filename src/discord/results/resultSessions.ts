import { randomBytes } from 'node:crypto';
import { MessageFlags, type MessageComponentInteraction } from 'discord.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import type { ResultGroup } from './hitSearch.js';

/** Interaction tokens last 15 minutes; controls are retired just before. */
const SESSION_TTL_MS = 14 * 60 * 1000;
const MAX_SESSIONS = 5000;
export const RESULTS_PREFIX = 'results';

/** What a control on a results message asks for. */
export type ResultAction =
  | { kind: 'page'; page: number }
  /** More like / Show: the result is chosen in a select menu. */
  | { kind: 'more' | 'show' }
  | { kind: 'share'; result: number };

/** Search results held for one member while they page and pick among them. */
export interface ResultSession {
  id: string;
  userId: string;
  guildId: string;
  /** The searcher's locale: every page of the session speaks it. */
  locale: string;
  title: string;
  kind: 'text' | 'image';
  groups: ResultGroup[];
  /** Results asked for (More like #n asks for as many). */
  limit: number;
  perPage: number;
  /** Shown in an age-restricted channel (cleared once that channel stops being one). */
  nsfwAllowed: boolean;
  /** Takes the controls off the message when the session ends. */
  retire: () => Promise<unknown>;
}

interface SessionEntry {
  session: ResultSession;
  timer: NodeJS.Timeout;
  /** The private reply that shows the session's pages: its page, More like and Show controls hold there only. */
  pages: string | undefined;
  /** Show #n replies, by message id, with the result each shows: its Share button holds there only, for that result. */
  shows: Map<string, number>;
}

/**
 * The one owner of result sessions: opens them, retires them (and their controls) before
 * Discord stops accepting edits, names their controls, and hands a session only to the
 * member who searched, through a control of that session on the private message the bot put
 * it on. Discord does not promise that a custom id comes from the message it arrives on (a
 * modified client can send any), so a control is honoured only on that message: a forged,
 * foreign or expired custom id gets a private explanation, never someone else's results, and
 * the message it arrived on is never changed.
 */
export class ResultSessions {
  private readonly sessions = new Map<string, SessionEntry>();

  open(fields: Omit<ResultSession, 'id'>): ResultSession {
    const session: ResultSession = { ...fields, id: randomBytes(9).toString('base64url') };
    const timer = setTimeout(() => this.end(session.id), SESSION_TTL_MS);
    timer.unref();
    this.sessions.set(session.id, { session, timer, pages: undefined, shows: new Map() });
    // Bounded memory under heavy use: the oldest sessions retire early.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.end(id);
    }
    return session;
  }

  /** The session's pages are shown in this (private) message. */
  bindPages(session: ResultSession, messageId: string): void {
    const entry = this.sessions.get(session.id);
    if (entry !== undefined) entry.pages = messageId;
  }

  /** Result `key` of the session is shown in this (private) message, with its Share button. */
  bindShow(session: ResultSession, messageId: string, key: number): void {
    this.sessions.get(session.id)?.shows.set(messageId, key);
  }

  /**
   * The session a control belongs to and what it asks, for the member who pressed it on the
   * message the bot put it on; a UserFacingError otherwise (answered privately, before anything
   * is deferred, so the message pressed stays as it is).
   */
  claim(interaction: MessageComponentInteraction<'cached'>): { session: ResultSession; action: ResultAction } {
    const parsed = parseCustomId(interaction.customId);
    // Results are only ever shown privately: a control on a public message was not put there by a session.
    if (parsed === undefined || !interaction.message.flags.has(MessageFlags.Ephemeral)) throw new UserFacingError('results.controlUnknown');
    const entry = this.sessions.get(parsed.sessionId);
    if (entry === undefined) throw new UserFacingError('results.expired');
    if (!carries(entry, interaction.message.id, parsed.action)) throw new UserFacingError('results.controlUnknown');
    const { session } = entry;
    if (session.userId !== interaction.user.id || session.guildId !== interaction.guildId) throw new UserFacingError('results.notYours');
    return { session, action: parsed.action };
  }

  close(): void {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
  }

  private end(id: string): void {
    const entry = this.sessions.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.sessions.delete(id);
    void entry.session.retire().catch(() => undefined);
  }
}

/** Whether the session put a control for `action` on that message. */
function carries(entry: SessionEntry, messageId: string, action: ResultAction): boolean {
  if (action.kind === 'share') return entry.shows.get(messageId) === action.result;
  return entry.pages === messageId;
}

export function customId(session: Pick<ResultSession, 'id'>, action: ResultAction): string {
  const arg = action.kind === 'page' ? `:${action.page}` : action.kind === 'share' ? `:${action.result}` : '';
  return `${RESULTS_PREFIX}:${session.id}:${action.kind}${arg}`;
}

function parseCustomId(id: string): { sessionId: string; action: ResultAction } | undefined {
  const [prefix, sessionId, kind, arg, ...rest] = id.split(':');
  if (prefix !== RESULTS_PREFIX || sessionId === undefined || rest.length > 0) return undefined;
  const number = arg === undefined || !/^\d{1,4}$/.test(arg) ? undefined : Number(arg);
  if (kind === 'page' && number !== undefined) return { sessionId, action: { kind, page: number } };
  if (kind === 'share' && number !== undefined) return { sessionId, action: { kind, result: number } };
  if ((kind === 'more' || kind === 'show') && arg === undefined) return { sessionId, action: { kind } };
  return undefined;
}
