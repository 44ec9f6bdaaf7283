import { DiscordAPIError, RESTJSONErrorCodes, type ThreadChannel } from 'discord.js';
import { logger } from '../../logger.js';

/**
 * Whether someone is in a private thread now, asked of Discord each time. Without the
 * Server Members intent the bot is never told when someone else leaves or is removed, so
 * discord.js's thread-member cache can only grow stale: it is not consulted. Concurrent
 * questions about the same member and thread share one request; nothing is kept after.
 */
export class ThreadMembership {
  private readonly asking = new Map<string, Promise<boolean>>();

  isMember(thread: ThreadChannel, userId: string): Promise<boolean> {
    const key = `${thread.id}/${userId}`;
    let answer = this.asking.get(key);
    if (answer === undefined) {
      answer = ask(thread, userId).finally(() => this.asking.delete(key));
      this.asking.set(key, answer);
    }
    return answer;
  }
}

async function ask(thread: ThreadChannel, userId: string): Promise<boolean> {
  try {
    await thread.members.fetch({ member: userId, force: true, cache: false });
    return true;
  } catch (error) {
    // Not a member (Unknown Member) or no answer: either way the thread stays hidden.
    if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember)) {
      logger.warn({ err: error, guildId: thread.guildId, channelId: thread.id }, 'could not check private thread membership; hiding the thread');
    }
    return false;
  }
}
