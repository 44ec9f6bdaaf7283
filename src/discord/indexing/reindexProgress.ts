import type { Client, GuildTextBasedChannel, RepliableInteraction } from 'discord.js';
import { logger } from '../../logger.js';
import { audienceContains } from '../access/memberAccess.js';
import { messagesFor } from '../messages/messages.js';
import { reindexProgressText } from './reindexProgressText.js';
import type { ReindexState } from './reindexState.js';

/**
 * Where a reindex shows its progress, each in its reader's language. The progress names the
 * channel and counts its messages, so it is public only where everyone who sees it may read
 * that channel (decided with audienceContains); otherwise only the admin who asked sees it.
 */
export interface ProgressView {
  show(state: ReindexState, channelName: string): Promise<void>;
  /** False once showing more would reach no one (Discord no longer lets it be edited, or it was withdrawn): it is let go. */
  readonly live: boolean;
  /** Whose view it is, when it is one person's: a newer view for them takes its place. */
  readonly viewer?: string;
}

/**
 * A message the bot posted in a channel (in the server's language), edited as the walk goes; it
 * survives restarts (stored with the walk). Before each edit the audience is judged again: once
 * not everyone who reads that channel may read the channel walked (its permissions changed), the
 * message says so instead, naming and counting nothing, and is not edited again.
 */
export class ChannelProgressView implements ProgressView {
  private withdrawn = false;

  constructor(
    private readonly client: Client,
    readonly message: { channelId: string; messageId: string },
  ) {}

  /** Posts the first version; undefined when the bot cannot post there. */
  static async post(channel: GuildTextBasedChannel, state: ReindexState, channelName: string): Promise<ChannelProgressView | undefined> {
    const text = reindexProgressText(state, channelName, messagesFor(channel.guild.preferredLocale));
    const message = await channel.send({ content: text, allowedMentions: { parse: [] } }).catch(() => undefined);
    return message === undefined
      ? undefined
      : new ChannelProgressView(channel.client, { channelId: message.channelId, messageId: message.id });
  }

  get live(): boolean {
    return !this.withdrawn;
  }

  async show(state: ReindexState, channelName: string): Promise<void> {
    if (this.withdrawn) return;
    const messages = messagesFor(this.client.guilds.cache.get(state.guildId)?.preferredLocale);
    try {
      const here = await this.client.channels.fetch(this.message.channelId);
      if (here === null || here.isDMBased() || !here.isTextBased()) return;
      const walked = await this.client.channels.fetch(state.channelId).catch(() => null);
      const shared = walked !== null && !walked.isDMBased() && audienceContains(here, walked);
      const content = shared ? reindexProgressText(state, channelName, messages) : messages.text('reindex.progressWithdrawn');
      await here.messages.edit(this.message.messageId, { content, allowedMentions: { parse: [] } });
      this.withdrawn = !shared;
    } catch (error) {
      logger.debug({ err: error, channelId: this.message.channelId }, 'could not edit the reindex progress message');
    }
  }
}

/** Interaction replies can be edited for 15 minutes; the view stops a little before. */
const REPLY_EDITABLE_MS = 14 * 60 * 1000;

/**
 * The admin's own (ephemeral) reply to /reindex, in their language, edited as the walk goes
 * until Discord no longer allows it; running /reindex on the channel again shows the progress anew
 * (in that newer reply only).
 */
export class ReplyProgressView implements ProgressView {
  constructor(
    private readonly interaction: RepliableInteraction,
    /** The reply's first lines (what was started, anything the admin should know), kept above the progress. */
    private readonly header: string,
  ) {}

  get live(): boolean {
    return Date.now() - this.interaction.createdTimestamp <= REPLY_EDITABLE_MS;
  }

  get viewer(): string {
    return this.interaction.user.id;
  }

  async show(state: ReindexState, channelName: string): Promise<void> {
    if (!this.live) return;
    const text = reindexProgressText(state, channelName, messagesFor(this.interaction.locale));
    try {
      await this.interaction.editReply({ content: `${this.header}\n${text}`, allowedMentions: { parse: [] } });
    } catch (error) {
      logger.debug({ err: error, guildId: this.interaction.guildId }, 'could not edit the reindex reply');
    }
  }
}
