import type { APIEmbed } from 'discord.js';
import type { Cdn } from './cdn.js';
import { componentMediaUrls } from './componentTree.js';
import type { MessageRecord } from './state.js';

/** What really happened: every HTTP request the bot made, and every message state a person could have seen. */

export interface RequestRecord {
  seq: number;
  method: string;
  /** Full path without query, e.g. `/api/v10/channels/1/messages` or `/attachments/1/2/a.png`. */
  path: string;
  query: Record<string, string>;
  kind: 'api' | 'cdn' | 'other';
  /** The route pattern that answered, e.g. `GET /channels/:channelId/messages`; null when none did. */
  route: string | null;
  startedAt: number;
  finishedAt: number | null;
  status: number | null;
  /** Set when the answer was an injected fault rather than the real handler's. */
  fault: 'rate-limit' | 'server-error' | null;
  /** JSON body or multipart `payload_json`; files are listed separately. */
  body: unknown;
  files: { field: string; filename: string; contentType: string | null; size: number }[];
  /** discord.js REST sends `DiscordBot (https://discord.js.org, …)`; a test's own fetch does not. */
  userAgent: string | null;
  /** Why a 400 refused the body: the route, and one line per field for Invalid Form Body (spec or limit); else null. */
  refusal: string | null;
}

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string | null;
  size: number;
  data: Buffer;
  /** A URL signed when this view was taken (it may have expired since). */
  url: string;
}

/** One state of a message, as a person saw it. */
export interface MessageView {
  at: number;
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: AttachmentView[];
  /**
   * What a person sees as pictures: embed images and thumbnails, then media gallery items, thumbnails and files of
   * components (attachment:// resolved), then attached files.
   */
  mediaUrls: string[];
  flags: number;
}

export interface BotMessageRecord extends MessageView {
  id: string;
  channelId: string;
  guildId: string | null;
  /** `channel`: POST /channels/:id/messages; `interaction-response`: callback or @original; `followup`: webhook POST. */
  origin: 'channel' | 'interaction-response' | 'followup';
  interactionId: string | null;
  ephemeral: boolean;
  /** Still the loading "thinking…" state of a deferred reply. */
  loading: boolean;
  deleted: boolean;
  /** Every state, oldest first; the record's own fields repeat the last one. */
  versions: MessageView[];
}

const EPHEMERAL = 64;
const LOADING = 128;

export class GroundTruth {
  readonly requests: RequestRecord[] = [];
  private readonly botMessages = new Map<string, BotMessageRecord>();
  private nextSeq = 1;

  constructor(private readonly cdn: Cdn) {}

  startRequest(record: Omit<RequestRecord, 'seq'>): RequestRecord {
    const full = { seq: this.nextSeq++, ...record };
    this.requests.push(full);
    return full;
  }

  messages(): BotMessageRecord[] {
    return [...this.botMessages.values()];
  }

  message(id: string): BotMessageRecord | undefined {
    return this.botMessages.get(id);
  }

  recordCreate(message: MessageRecord, origin: BotMessageRecord['origin'], interactionId: string | null): BotMessageRecord {
    const view = this.view(message);
    const record: BotMessageRecord = {
      ...view,
      id: message.id,
      channelId: message.channelId,
      guildId: message.guildId,
      origin,
      interactionId,
      ephemeral: (message.flags & EPHEMERAL) !== 0,
      loading: (message.flags & LOADING) !== 0,
      deleted: false,
      versions: [view],
    };
    this.botMessages.set(message.id, record);
    return record;
  }

  recordEdit(message: MessageRecord): void {
    const record = this.botMessages.get(message.id);
    if (!record) return;
    const view = this.view(message);
    Object.assign(record, view, { loading: (message.flags & LOADING) !== 0, ephemeral: (message.flags & EPHEMERAL) !== 0 });
    record.versions.push(view);
  }

  recordDelete(messageId: string): void {
    const record = this.botMessages.get(messageId);
    if (record) record.deleted = true;
  }

  private view(message: MessageRecord): MessageView {
    const attachments = message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.data.length,
      data: a.data,
      url: this.cdn.urlFor(a),
    }));
    const resolve = (url: string | undefined): string[] => {
      if (!url) return [];
      if (!url.startsWith('attachment://')) return [url];
      const file = attachments.find((a) => a.filename === url.slice('attachment://'.length));
      return file ? [file.url] : [];
    };
    const embedMedia = message.embeds.flatMap((e) => [...resolve(e.image?.url), ...resolve(e.thumbnail?.url)]);
    const componentMedia = componentMediaUrls(message.components).flatMap(resolve);
    return {
      at: Date.now(),
      content: message.content,
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      attachments,
      mediaUrls: [...new Set([...embedMedia, ...componentMedia, ...attachments.map((a) => a.url)])],
      flags: message.flags,
    };
  }
}
