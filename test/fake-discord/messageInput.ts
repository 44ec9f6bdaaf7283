import type { APIEmbed } from 'discord.js';
import { sanitizeFilename } from './cdn.js';
import { ApiError, invalidFormBody } from './errors.js';
import { contentTypeFor, imageInfo } from './imageInfo.js';
import type { AttachmentRecord } from './state.js';

/** A bot's message body (JSON or multipart) checked against Discord's limits and turned into message fields. */

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
}

export interface MessageInput {
  content?: string;
  embeds?: APIEmbed[];
  components?: unknown[];
  flags?: number;
  attachments?: AttachmentRecord[];
  replyTo?: string;
}

interface RawAttachment {
  id?: string | number;
  filename?: string;
  description?: string;
}

const EPHEMERAL = 64;
const SUPPRESS_EMBEDS = 4;
const SUPPRESS_NOTIFICATIONS = 4096;
const COMPONENTS_V2 = 32768;

/**
 * `existing` are the attachments of the message being edited (kept when listed by id, or when `attachments` is absent).
 * `newId` makes attachment ids; `channelId` is where the files will be served from.
 */
export function readMessageInput(
  body: unknown,
  files: UploadedFile[],
  context: { channelId: string; existing?: AttachmentRecord[]; existingFlags?: number; newId: () => string; allowEphemeral: boolean },
): MessageInput {
  const raw = (body ?? {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const input: MessageInput = {};
  if (raw['content'] !== undefined && raw['content'] !== null) {
    if (typeof raw['content'] !== 'string') errors['content'] = 'Must be a string';
    else if ([...raw['content']].length > 2000) errors['content'] = 'Must be 2000 or fewer in length.';
    else input.content = raw['content'];
  }
  if (raw['embeds'] !== undefined && raw['embeds'] !== null) {
    const embeds = raw['embeds'];
    if (!Array.isArray(embeds) || embeds.length > 10) errors['embeds'] = 'Must be 10 or fewer in length.';
    else {
      embeds.forEach((embed, i) => checkEmbed(embed as APIEmbed, `embeds.${i}`, errors));
      const total = embeds.reduce((sum: number, e) => sum + embedLength(e as APIEmbed), 0);
      if (total > 6000) errors['embeds'] = 'Embed size exceeds maximum size of 6000';
      input.embeds = embeds as APIEmbed[];
    }
  }
  if (raw['components'] !== undefined && raw['components'] !== null) {
    const components = raw['components'];
    // The flag cannot be removed once set, so an edit of a Components V2 message is one too.
    const flags = (typeof raw['flags'] === 'number' ? raw['flags'] : 0) | (context.existingFlags ?? 0);
    const v2 = (flags & COMPONENTS_V2) !== 0;
    if (!Array.isArray(components) || (!v2 && components.length > 5)) errors['components'] = 'Must be 5 or fewer in length.';
    else {
      if (!v2) components.forEach((row, i) => checkActionRow(row, `components.${i}`, errors));
      input.components = components;
    }
  }
  if (raw['flags'] !== undefined && raw['flags'] !== null) {
    const flags = Number(raw['flags']);
    const allowed = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2 | (context.allowEphemeral ? EPHEMERAL : 0);
    if (!Number.isInteger(flags) || (flags & ~allowed) !== 0) errors['flags'] = 'Invalid flags for this request';
    else input.flags = flags;
  }
  const reference = raw['message_reference'] as { message_id?: string } | undefined;
  if (reference?.message_id) input.replyTo = reference.message_id;
  const attachments = readAttachments(raw['attachments'], files, context, errors);
  if (attachments) input.attachments = attachments;
  if (Object.keys(errors).length > 0) throw invalidFormBody(toDiscordErrors(errors));
  return input;
}

function readAttachments(
  listed: unknown,
  files: UploadedFile[],
  context: { channelId: string; existing?: AttachmentRecord[]; newId: () => string },
  errors: Record<string, string>,
): AttachmentRecord[] | undefined {
  const uploads = new Map<string, UploadedFile>();
  files.forEach((file, i) => {
    const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? /^file(\d*)$/.exec(file.field)?.[1] ?? String(i);
    uploads.set(index === '' ? '0' : index, file);
  });
  const make = (file: UploadedFile, meta: RawAttachment | undefined): AttachmentRecord => {
    const filename = sanitizeFilename(meta?.filename ?? file.filename);
    const info = imageInfo(file.data);
    return {
      id: context.newId(),
      channelId: context.channelId,
      messageId: null,
      filename,
      contentType: contentTypeFor(filename, file.data, file.contentType),
      data: file.data,
      width: info?.width ?? null,
      height: info?.height ?? null,
      description: meta?.description ?? null,
      ephemeral: false,
    };
  };
  if (listed === undefined || listed === null) {
    if (uploads.size === 0) return undefined;
    return [...(context.existing ?? []), ...[...uploads.values()].map((file) => make(file, undefined))];
  }
  if (!Array.isArray(listed)) {
    errors['attachments'] = 'Must be an array';
    return undefined;
  }
  const result: AttachmentRecord[] = [];
  (listed as RawAttachment[]).forEach((entry, i) => {
    const id = String(entry.id);
    const upload = uploads.get(id);
    const kept = context.existing?.find((a) => a.id === id);
    if (upload) result.push(make(upload, entry));
    else if (kept) result.push(kept);
    else errors[`attachments.${i}.id`] = `Unknown attachment or missing file for id ${id}`;
  });
  return result;
}

function checkEmbed(embed: APIEmbed, at: string, errors: Record<string, string>): void {
  const limit = (value: string | undefined, max: number, field: string) => {
    if (value !== undefined && [...value].length > max) errors[`${at}.${field}`] = `Must be ${max} or fewer in length.`;
  };
  limit(embed.title, 256, 'title');
  limit(embed.description, 4096, 'description');
  limit(embed.footer?.text, 2048, 'footer.text');
  limit(embed.author?.name, 256, 'author.name');
  if ((embed.fields?.length ?? 0) > 25) errors[`${at}.fields`] = 'Must be 25 or fewer in length.';
  embed.fields?.forEach((field, i) => {
    limit(field.name, 256, `fields.${i}.name`);
    limit(field.value, 1024, `fields.${i}.value`);
  });
  for (const media of [embed.image, embed.thumbnail]) {
    if (media && !/^(https?|attachment):\/\//.test(media.url)) errors[`${at}.image.url`] = 'Not a well formed URL.';
  }
}

function embedLength(embed: APIEmbed): number {
  let total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  total += (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  return total;
}

function checkActionRow(row: unknown, at: string, errors: Record<string, string>): void {
  const r = row as { type?: number; components?: Array<Record<string, unknown>> };
  if (r.type !== 1 || !Array.isArray(r.components) || r.components.length === 0 || r.components.length > 5) {
    errors[at] = 'An action row must hold 1 to 5 components';
    return;
  }
  r.components.forEach((c, i) => {
    if (c['type'] === 2) {
      const link = c['style'] === 5;
      const premium = c['style'] === 6;
      if (link && typeof c['url'] !== 'string') errors[`${at}.components.${i}.url`] = 'A link button needs a url';
      if (!link && !premium && typeof c['custom_id'] !== 'string') {
        errors[`${at}.components.${i}.custom_id`] = 'A button needs a custom_id';
      }
      if (typeof c['label'] === 'string' && c['label'].length > 80)
        errors[`${at}.components.${i}.label`] = 'Must be 80 or fewer in length.';
    }
    if (typeof c['custom_id'] === 'string' && c['custom_id'].length > 100) {
      errors[`${at}.components.${i}.custom_id`] = 'Must be 100 or fewer in length.';
    }
  });
}

function toDiscordErrors(errors: Record<string, string>): unknown {
  const tree: Record<string, unknown> = {};
  for (const [path, message] of Object.entries(errors)) {
    let node = tree;
    for (const key of path.split('.')) node = (node[key] ??= {}) as Record<string, unknown>;
    node['_errors'] = [{ code: 'BASE_TYPE_INVALID', message }];
  }
  return tree;
}

/** Discord refuses a message with nothing to show. */
export function assertNotEmpty(fields: { content: string; embeds: unknown[]; attachments: unknown[]; components: unknown[] }): void {
  if (!fields.content && fields.embeds.length === 0 && fields.attachments.length === 0 && fields.components.length === 0) {
    throw new ApiError(400, 50006, 'Cannot send an empty message');
  }
}

/** Mentions written in content: users `<@id>`/`<@!id>`, roles `<@&id>`, and @everyone/@here. */
export function parseMentions(content: string): { users: string[]; roles: string[]; everyone: boolean } {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] ?? '');
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] ?? '');
  return { users: [...new Set(users)], roles: [...new Set(roles)], everyone: /@(everyone|here)/.test(content) };
}
