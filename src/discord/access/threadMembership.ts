import { DiscordAPIError, RESTJSONErrorCodes, type ThreadChannel } from 'discord.js';
import { logger } from '../../logger.js';

/** Answers kept at most; past it the oldest go (a Map iterates in insertion order). */
const MAX_ANSWERS = 50_000;

/**
 * Whether someone is in a private thread now, as Discord says. Without the Server Members
 * intent the bot is never told when someone else leaves or is removed, so discord.js's
 * thread-member cache can only grow stale: it is not consulted. Discord's answer is trusted
 * for `trustMs` (a page turn, the next search), so someone removed from a thread stops seeing
 * it within that time; concurrent questions about the same member and thread share one request.
 * An answer that could not be had is not kept: the thread stays hidden, and is asked about again.
 */
export class ThreadMembership {
  private readonly asking = new Map<string, Promise<boolean>>();
  private readonly answers = new Map<string, { member: boolean; at: number }>();

  constructor(private readonly trustMs: number) {}

  /** Discord's answer while it is trusted, without asking; undefined when Discord must be asked. */
  known(threadId: string, userId: string): boolean | undefined {
    const known = this.answers.get(`${threadId}/${userId}`);
    return known !== undefined && Date.now() - known.at < this.trustMs ? known.member : undefined;
  }

  isMember(thread: ThreadChannel, userId: string): Promise<boolean> {
    const known = this.known(thread.id, userId);
    if (known !== undefined) return Promise.resolve(known);
    const key = `${thread.id}/${userId}`;
    let answer = this.asking.get(key);
    if (answer === undefined) {
      answer = ask(thread, userId)
        .then((member) => {
          if (member !== undefined) this.remember(key, member);
          return member === true;
        })
        .finally(() => this.asking.delete(key));
      this.asking.set(key, answer);
    }
    return answer;
  }

  private remember(key: string, member: boolean): void {
    this.answers.delete(key);
    if (this.trustMs === 0) return;
    this.answers.set(key, { member, at: Date.now() });
    for (const old of this.answers.keys()) {
      if (this.answers.size <= MAX_ANSWERS) break;
      this.answers.delete(old);
    }
  }
}

/** True or false as Discord says; undefined when it did not say. */
async function ask(thread: ThreadChannel, userId: string): Promise<boolean | undefined> {
  try {
    await thread.members.fetch({ member: userId, force: true, cache: false });
    return true;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return false;
    logger.warn(
      { err: error, guildId: thread.guildId, channelId: thread.id },
      'could not check private thread membership; hiding the thread',
    );
    return undefined;
  }
}
