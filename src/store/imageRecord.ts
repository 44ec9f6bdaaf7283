/**
 * One indexed image as the store keeps it: where it came from, what its bytes were,
 * and the embedding a model made of it. In memory the library keeps these fields as
 * columns (recordTable.ts) and builds a record object only for what a caller asks for.
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
  /**
   * Where the image can be fetched again: a file path (CLI) or a URL. Discord's expiring
   * signature (the ex, is and hm query parameters) is dropped when a record is stored: a
   * result gets a fresh signed URL by re-reading its message or from Discord's refresh endpoint.
   */
  source: string;
  /** sha256 hex of the image bytes. */
  contentHash: string;
  /** A 64-bit perceptual hash of the picture (for spotting reposts), when one was computed. */
  perceptualHash: bigint | undefined;
  /** Which model made the embedding (EmbeddingModel.id: derived from the model's files). */
  modelId: string;
  /**
   * Records loaded from the store share one buffer per stored segment (zero-copy views);
   * keeping one record keeps its segment's buffer alive.
   */
  embedding: Float32Array;
}

/** Everything about an indexed image but its vector: what a search hit shows. */
export type ImageInfo = Omit<ImageRecord, 'embedding'>;

/** The id a Discord attachment gets; the codec stores such ids implicitly. */
export function discordRecordId(messageId: string, attachmentId: string): string {
  return `${messageId}:${attachmentId}`;
}
