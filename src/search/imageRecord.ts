/**
 * One indexed image as the store keeps it: where it came from, what its bytes were,
 * and the embedding a model made of it.
 */
export interface ImageRecord {
  /** Stable id: `${messageId}:${attachmentId}` for Discord, a path-derived id for the CLI. */
  id: string;
  /** Guild id, or 'local' for the CLI. */
  collection: string;
  channelId: string;
  messageId: string;
  attachmentId: string;
  authorId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** URL or file path the image came from. */
  source: string;
  /** sha256 hex of the image bytes. */
  contentHash: string;
  /** Which model made the embedding. */
  modelId: string;
  /**
   * Records loaded from the store share one buffer per stored segment (zero-copy views);
   * keeping one record keeps its segment's buffer alive.
   */
  embedding: Float32Array;
}

/** The id a Discord attachment gets; the codec stores such ids implicitly. */
export function discordRecordId(messageId: string, attachmentId: string): string {
  return `${messageId}:${attachmentId}`;
}
