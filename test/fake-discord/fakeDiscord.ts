import { GatewayOpcodes } from 'discord.js';
import { Cdn } from './cdn.js';
import { FakeDiscordUsageError } from './errors.js';
import { Faults, type FaultSpec, type RateLimitViolation, type RouteMatcher } from './faults.js';
import { Gateway } from './gateway.js';
import { allowedIntents, initialGuildEvents, memberChunk, readyPayload } from './gatewayPayloads.js';
import { GroundTruth, type BotMessageRecord, type RequestRecord } from './groundTruth.js';
import { InteractionActions, type ComponentSpec, type ContextMenuSpec, type SlashCommandSpec } from './interactionActions.js';
import { Interactions, type InteractionReply, type WaitOptions } from './interactions.js';
import { Payloads } from './payloads.js';
import { buildRouter } from './rest/index.js';
import {
  POST_CHANNEL_TYPES,
  Scenario,
  type ChannelSpec,
  type GuildSpec,
  type OverwriteSpec,
  type ThreadSpec,
  type UserSpec,
} from './scenario.js';
import { FakeServer } from './server.js';
import { DiscordState, type GuildRecord, type ChannelRecord, type MemberRecord, type RoleRecord, type UserRecord } from './state.js';
import { UserActions, type FileSpec, type MessageEdit, type PostSpec } from './userActions.js';
import { World, type PrivilegedIntents } from './world.js';
import { toFakeMessage, type FakeMessage } from './views.js';

/** A Discord on loopback (REST, gateway, CDN) that the real discord.js client runs against in tests. */

export interface FakeDiscordOptions {
  /** Shard count recommended by GET /gateway/bot (discord.js uses it with `shards: 'auto'`). Default 1. */
  shards?: number;
  /** Lifetime of signed attachment URLs. Default 24 h. */
  cdnUrlTtlMs?: number;
  /** HELLO heartbeat interval. Default 41250 ms, as Discord. */
  heartbeatIntervalMs?: number;
  /** Time the bot has to answer an interaction before 10062 Unknown interaction. Default 3000 ms. */
  interactionDeadlineMs?: number;
  /** The bot's username. Default `FakeBot`. */
  botName?: string;
  /** Privileged intents switched on for the app (developer portal). All on by default. */
  privilegedIntents?: Partial<PrivilegedIntents>;
  port?: number;
}

/** A created guild: its @everyone role has the guild's id; `botRoleId` is the bot's managed role (null without the bot). */
export type FakeGuild = GuildRecord & { everyoneRoleId: string; botRoleId: string | null };

export type { FakeMessage, FileSpec, PostSpec, ChannelSpec, ThreadSpec, OverwriteSpec, FaultSpec, InteractionReply, WaitOptions };

export class FakeDiscord {
  /** The raw records, for assertions; change them only through the methods below so events are dispatched. */
  readonly state = new DiscordState();
  private readonly world: World;
  private readonly server: FakeServer;
  private readonly scenario: Scenario;
  private readonly users: UserActions;
  private readonly interactionRecords: Interactions;
  private readonly interactionActions: InteractionActions;
  private readonly faults = new Faults();
  private readonly truth: GroundTruth;
  private readonly cdn: Cdn;
  private port = 0;
  private stopping: Promise<void> | undefined;
  private recommendedShards: number;
  /** The bot's user (its id is also the application id). */
  readonly botUser: UserRecord;
  /** The application's owner, who also owns guilds created without an owner. */
  readonly appOwner: UserRecord;
  readonly botToken: string;

  private constructor(options: FakeDiscordOptions) {
    this.recommendedShards = options.shards ?? 1;
    this.cdn = new Cdn(this.state, () => this.cdnUrl, options.cdnUrlTtlMs ?? 24 * 3600 * 1000);
    this.truth = new GroundTruth(this.cdn);
    const payloads = new Payloads(this.state, this.cdn, () => this.botUser.id);
    this.botUser = { id: this.state.ids.next(), username: options.botName ?? 'FakeBot', globalName: null, bot: true, locale: 'en-US' };
    this.appOwner = { id: this.state.ids.next(), username: 'app-owner', globalName: 'App Owner', bot: false, locale: 'en-US' };
    this.state.users.set(this.botUser.id, this.botUser);
    this.state.users.set(this.appOwner.id, this.appOwner);
    this.botToken = `${Buffer.from(this.botUser.id).toString('base64').replace(/=+$/, '')}.ZmFrZQ.${'x'.repeat(27)}`;
    const privileged: PrivilegedIntents = { messageContent: true, guildMembers: true, presences: true, ...options.privilegedIntents };
    const gateway = new Gateway({
      token: this.botToken,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      resumeUrl: () => `ws://127.0.0.1:${this.port}/resume`,
      allowedIntents: () => allowedIntents(privileged),
      ready: (session) => readyPayload(world, session),
      initialGuilds: (session) => initialGuildEvents(world, session),
      memberChunk: (session, request) => memberChunk(world, session, request),
    });
    // The gateway's hooks above read `world` only once a bot connects, after this line.
    const world: World = new World(this.state, this.cdn, payloads, gateway, this.truth, this.botUser.id, this.botUser.id, privileged);
    this.world = world;
    this.interactionRecords = new Interactions(this.truth);
    this.scenario = new Scenario(world);
    this.users = new UserActions(world);
    this.interactionActions = new InteractionActions(world, this.interactionRecords, this.users);
    const router = buildRouter(world, this.interactionRecords, {
      gatewayUrl: () => this.gatewayUrl,
      shards: () => this.recommendedShards,
      ownerId: () => this.appOwner.id,
      interactionDeadlineMs: () => options.interactionDeadlineMs ?? 3000,
    });
    this.server = new FakeServer({ router, cdn: this.cdn, faults: this.faults, gateway, truth: this.truth, token: this.botToken });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const discord = new FakeDiscord(options);
    discord.port = await discord.server.listen(options.port ?? 0);
    return discord;
  }

  /** Closes every connection and the server; safe to call twice. */
  async stop(): Promise<void> {
    this.stopping ??= this.server.close();
    await this.stopping;
  }

  // ---- Where things are -------------------------------------------------------------------------------------------

  /** For discord.js `rest.api`: `http://127.0.0.1:PORT/api`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }
  /** Origin attachments are served from (`http://127.0.0.1:PORT`); put `cdnHost` in the bot's allow-list. */
  get cdnUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get cdnHost(): string {
    return `127.0.0.1:${this.port}`;
  }
  get applicationId(): string {
    return this.botUser.id;
  }
  get cdnUrlTtlMs(): number {
    return this.cdn.ttlMs;
  }
  set cdnUrlTtlMs(ms: number) {
    this.cdn.ttlMs = ms;
  }
  /** The shard count /gateway/bot recommends (settable). */
  get shards(): number {
    return this.recommendedShards;
  }
  set shards(count: number) {
    this.recommendedShards = count;
  }

  // ---- Building the world ----------------------------------------------------------------------------------------

  createUser(spec: UserSpec): UserRecord {
    return this.scenario.createUser(spec);
  }
  /** A guild with @everyone (id = guild id) and, unless `withBot: false`, the bot as a member with a managed role. */
  createGuild(spec: GuildSpec): FakeGuild {
    const guild = this.scenario.createGuild({ ...spec, ownerId: spec.ownerId ?? this.appOwner.id });
    return { ...guild, everyoneRoleId: guild.id };
  }
  createRole(
    guildId: string,
    spec: { name: string; permissions: bigint; color?: number; hoist?: boolean; mentionable?: boolean },
  ): RoleRecord {
    return this.scenario.createRole(guildId, spec);
  }
  updateRole(guildId: string, roleId: string, changes: { name?: string; permissions?: bigint }): RoleRecord {
    return this.scenario.updateRole(guildId, roleId, changes);
  }
  addMember(guildId: string, userId: string, spec: { roles?: string[]; nick?: string | null } = {}): MemberRecord {
    return this.scenario.addMember(guildId, userId, spec);
  }
  setMemberRoles(guildId: string, userId: string, roles: string[]): MemberRecord {
    return this.scenario.setMemberRoles(guildId, userId, roles);
  }
  removeMember(guildId: string, userId: string): void {
    this.scenario.removeMember(guildId, userId);
  }
  createChannel(guildId: string, spec: ChannelSpec): ChannelRecord {
    return this.scenario.createChannel(guildId, spec);
  }
  updateChannel(channelId: string, changes: Partial<Omit<ChannelSpec, 'type'>>): ChannelRecord {
    return this.scenario.updateChannel(channelId, changes);
  }
  deleteChannel(channelId: string): void {
    this.scenario.deleteChannel(channelId);
  }
  /**
   * A thread in a text channel, or a post in a forum or media channel (then `message` is its starter message, whose id
   * is the thread's).
   */
  createThread(channelId: string, spec: ThreadSpec & { message?: PostSpec }): ChannelRecord {
    const parent = this.state.channel(channelId);
    const forum = POST_CHANNEL_TYPES.includes(parent.type);
    if (forum && !spec.message) throw new FakeDiscordUsageError('a forum or media post needs a starter `message`');
    return this.scenario.createThread(channelId, spec, (thread) => {
      if (!spec.message) return;
      // Discord gives a forum post's starter message the thread's id.
      this.users.post(thread.id, thread.thread?.ownerId ?? this.appOwner.id, spec.message, forum ? thread.id : undefined);
    });
  }
  setThreadArchived(threadId: string, archived: boolean): ChannelRecord {
    return this.scenario.setThreadArchived(threadId, archived);
  }
  /** Someone joins (or is added to) a thread; the bot hears of it only when it is the one added, or with Server Members. */
  addThreadMember(threadId: string, userId: string): ChannelRecord {
    return this.scenario.addThreadMember(threadId, userId);
  }
  /** Someone leaves (or is removed from) a thread; no event reaches the bot about others without Server Members. */
  removeThreadMember(threadId: string, userId: string): ChannelRecord {
    return this.scenario.removeThreadMember(threadId, userId);
  }
  /**
   * The app's owner switches privileged intents in the developer portal. REST reads follow at once; a gateway session
   * keeps the intents it identified with until it identifies again.
   */
  setPrivilegedIntents(changes: Partial<PrivilegedIntents>): void {
    Object.assign(this.world.privileged, changes);
  }
  addBotToGuild(guildId: string, permissions?: bigint): void {
    this.scenario.addBot(guildId, permissions);
  }
  removeBotFromGuild(guildId: string): void {
    this.scenario.removeBot(guildId);
  }
  setGuildAvailable(guildId: string, available: boolean): void {
    this.scenario.setGuildAvailable(guildId, available);
  }
  /** The DM channel between the bot and a user. */
  openDm(userId: string): ChannelRecord {
    return this.users.dmChannel(userId);
  }

  // ---- People posting ----------------------------------------------------------------------------------------------

  /** A user posts; MESSAGE_CREATE goes to the bot's shard (content hidden without the Message Content intent). */
  async postMessage(channelId: string, userId: string, spec: PostSpec): Promise<FakeMessage> {
    return toFakeMessage(this.users.post(channelId, userId, spec), this.cdn);
  }
  /** The author edits a message (MESSAGE_UPDATE); `keepAttachments` lists the attachments that stay, the rest are removed. */
  async editMessage(messageId: string, changes: MessageEdit): Promise<FakeMessage> {
    return toFakeMessage(this.users.edit(messageId, changes), this.cdn);
  }
  async deleteMessage(messageId: string): Promise<void> {
    this.state.message(messageId);
    this.world.deleteMessage(messageId);
  }
  async bulkDelete(channelId: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) {
      if (this.state.message(id).channelId !== channelId) throw new FakeDiscordUsageError(`message ${id} is not in channel ${channelId}`);
    }
    this.world.bulkDelete(channelId, messageIds);
  }
  /** A message as stored (any author), with fresh attachment URLs. */
  getMessage(messageId: string): FakeMessage {
    return toFakeMessage(this.state.message(messageId), this.cdn);
  }
  /** A channel's live messages, oldest first. */
  channelMessages(channelId: string): FakeMessage[] {
    return this.state.channelHistory(channelId).map((id) => toFakeMessage(this.state.message(id), this.cdn));
  }
  /** A fresh signed URL for an attachment. */
  attachmentUrl(attachmentId: string): string {
    const attachment = this.state.attachments.get(attachmentId);
    if (!attachment) throw new FakeDiscordUsageError(`unknown attachment ${attachmentId}`);
    return this.cdn.urlFor(attachment);
  }

  // ---- People using the bot ----------------------------------------------------------------------------------------

  /** Runs a slash command; resolves with the bot's answer once it has answered and been quiet for `settleMs`. */
  async invokeSlashCommand(spec: SlashCommandSpec): Promise<InteractionReply> {
    return this.interactionActions.slashCommand(spec);
  }
  async invokeMessageContextMenu(spec: ContextMenuSpec): Promise<InteractionReply> {
    return this.interactionActions.messageContextMenu(spec);
  }
  /** Press a button on a message (`channelId` defaults to the message's channel). */
  async pressButton(spec: Omit<ComponentSpec, 'channelId' | 'values'> & { channelId?: string }): Promise<InteractionReply> {
    return this.interactionActions.component({ ...spec, channelId: spec.channelId ?? this.state.message(spec.messageId).channelId });
  }
  /** Choose values in a select menu on a message. */
  async selectMenu(spec: Omit<ComponentSpec, 'channelId'> & { channelId?: string; values: string[] }): Promise<InteractionReply> {
    return this.interactionActions.component({ ...spec, channelId: spec.channelId ?? this.state.message(spec.messageId).channelId });
  }
  /** The current answer to an interaction. */
  interactionReply(interactionId: string): InteractionReply {
    const record = this.interactionRecords.get(interactionId);
    if (!record) throw new FakeDiscordUsageError(`unknown interaction ${interactionId}`);
    return this.interactionRecords.reply(record);
  }
  waitForReply(interactionId: string, options?: WaitOptions): Promise<InteractionReply> {
    const record = this.interactionRecords.get(interactionId);
    if (!record) throw new FakeDiscordUsageError(`unknown interaction ${interactionId}`);
    return this.interactionRecords.wait(record, options);
  }

  // ---- Faults ------------------------------------------------------------------------------------------------------

  /** Close gateway connections. Resumable (default code 4000) keeps sessions; otherwise RESUME gets op 9 and the client re-identifies. */
  cutGateway(options: { code?: number; resumable: boolean; shardId?: number }): number {
    return this.world.gateway.cut(options);
  }
  /** Stop acknowledging heartbeats on the live connections (discord.js then reconnects and resumes). */
  stopHeartbeatAcks(shardId?: number): number {
    return this.world.gateway.stopAcks(shardId);
  }
  /** Op 7: ask clients to reconnect and resume. */
  requestReconnect(shardId?: number): void {
    this.world.gateway.sendOp(GatewayOpcodes.Reconnect, null, shardId);
  }
  /** Op 9 with d=resumable. */
  invalidateSession(resumable: boolean, shardId?: number): void {
    this.world.gateway.sendOp(GatewayOpcodes.InvalidSession, resumable, shardId);
  }
  injectFault(spec: FaultSpec): void {
    if (!Number.isInteger(spec.times) || spec.times < 1) throw new FakeDiscordUsageError('fault `times` must be a positive integer');
    this.faults.inject(spec);
  }
  /** Delay every matching HTTP answer by `ms`; 0 removes delays. */
  delayResponses(ms: number, route?: RouteMatcher): void {
    this.faults.delay(ms, route);
  }
  clearFaults(): void {
    this.faults.clear();
  }
  /** Faults injected but not yet served. */
  get pendingFaults(): number {
    return this.faults.pending();
  }
  /** Requests sent while a 429's retry-after had not passed (discord.js should make none). */
  get rateLimitViolations(): readonly RateLimitViolation[] {
    return this.faults.violations;
  }

  // ---- Ground truth ------------------------------------------------------------------------------------------------

  /** Every HTTP request the bot made (REST and CDN), in arrival order. */
  get requests(): readonly RequestRecord[] {
    return this.truth.requests;
  }
  /** Every message the bot produced (channel posts, interaction responses, follow-ups, ephemeral ones too), with versions. */
  get botMessages(): BotMessageRecord[] {
    return this.truth.messages();
  }
  botMessagesIn(channelId: string): BotMessageRecord[] {
    return this.truth.messages().filter((m) => m.channelId === channelId);
  }
  get gatewayStats(): Readonly<{ identifies: number; resumes: number; invalidSessions: number; heartbeats: number }> {
    return this.world.gateway.stats;
  }
  /** Shard ids with a live, identified connection. */
  connectedShards(): number[] {
    return this.world.gateway.connectedShards();
  }

  /** Poll until `predicate` holds (for effects of gateway events, which have no answer to await). */
  async waitFor<T>(predicate: () => T | undefined | null | false, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${this.refusalNote()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Bodies refused as Discord would refuse them often explain a wait that never ends. */
  private refusalNote(): string {
    const refusals = this.truth.requests.flatMap((r) => (r.refusal === null ? [] : [r.refusal]));
    return refusals.length === 0 ? '' : `; the fake refused ${refusals.length} request(s) as Discord would:\n${refusals.join('\n')}`;
  }

  /** Wait for the bot to post a message (not an interaction answer) matching `predicate`. */
  waitForBotMessage(predicate: (m: BotMessageRecord) => boolean = () => true, timeoutMs?: number): Promise<BotMessageRecord> {
    return this.waitFor(() => this.truth.messages().find(predicate), { what: 'a bot message', ...(timeoutMs ? { timeoutMs } : {}) });
  }
}
