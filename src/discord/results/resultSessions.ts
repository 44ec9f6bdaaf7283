import { randomBytes } from 'node:crypto';
import type { MessageComponentInteraction } from 'discord.js';
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

/**
 * The one owner of result sessions: opens them, retires them (and their controls) before
 * Discord stops accepting edits, names their controls, and hands a session only to the
 * member who searched, through a control of that session: a forged, foreign or expired
 * custom id gets a private explanation, never someone else's results.
 */
export class ResultSessions {
  private readonly sessions = new Map<string, { session: ResultSession; timer: NodeJS.Timeout }>();

  open(fields: Omit<ResultSession, 'id'>): ResultSession {
    const session: ResultSession = { ...fields, id: randomBytes(9).toString('base64url') };
    const timer = setTimeout(() => this.end(session.id), SESSION_TTL_MS);
    timer.unref();
    this.sessions.set(session.id, { session, timer });
    // Bounded memory under heavy use: the oldest sessions retire early.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.end(id);
    }
    return session;
  }

  /** The session a control belongs to and what it asks, for the member who pressed it; a UserFacingError otherwise. */
  claim(interaction: MessageComponentInteraction<'cached'>): { session: ResultSession; action: ResultAction } {
    const parsed = parseCustomId(interaction.customId);
    if (parsed === undefined) throw new UserFacingError('results.controlUnknown');
    const session = this.sessions.get(parsed.sessionId)?.session;
    if (session === undefined) throw new UserFacingError('results.expired');
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
