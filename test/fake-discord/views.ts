import type { Cdn } from './cdn.js';
import type { MessageRecord, ReactionRecord } from './state.js';

/** A message as a test sees it: ids, text, and attachments with freshly signed URLs. */
export interface FakeMessage extends Pick<MessageRecord, 'id' | 'channelId' | 'guildId' | 'authorId' | 'content' | 'embeds' | 'createdAt'> {
  attachments: { id: string; filename: string; contentType: string | null; size: number; url: string }[];
  /** Each emoji on it and who reacted with it. */
  reactions: ReactionRecord[];
}

export function toFakeMessage(message: MessageRecord, cdn: Cdn): FakeMessage {
  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    authorId: message.authorId,
    content: message.content,
    embeds: structuredClone(message.embeds),
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.data.length,
      url: cdn.urlFor(a),
    })),
    reactions: message.reactions.map((reaction) => ({ emoji: reaction.emoji, userIds: [...reaction.userIds] })),
    createdAt: message.createdAt,
  };
}
