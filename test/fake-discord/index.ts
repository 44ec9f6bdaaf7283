/** The fake Discord for end-to-end tests: start it alone (`FakeDiscord.start`) or with a client (`startFakeDiscordWithClient`). */
export { FakeDiscord, type FakeDiscordOptions, type FakeGuild } from './fakeDiscord.js';
export { startFakeDiscordWithClient, type FakeDiscordWithClient, type StartWithClientOptions } from './withClient.js';
export type { FakeMessage } from './views.js';
export type { PostSpec, FileSpec } from './userActions.js';
export type { ChannelSpec, ThreadSpec, OverwriteSpec, ChannelKind } from './scenario.js';
export { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from './scenario.js';
export type { SlashCommandSpec, ContextMenuSpec, ComponentSpec } from './interactionActions.js';
export { InteractionTimeoutError, type InteractionReply, type WaitOptions } from './interactions.js';
export type { BotMessageRecord, MessageView, AttachmentView, RequestRecord } from './groundTruth.js';
export type { FaultSpec, RateLimitViolation } from './faults.js';
export { FakeDiscordUsageError } from './errors.js';
export type { PrivilegedIntents } from './world.js';
export type { UserRecord, RoleRecord, ChannelRecord, MemberRecord, GuildRecord } from './state.js';
