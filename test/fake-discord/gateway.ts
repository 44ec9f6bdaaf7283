import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { GatewayIntentBits, GatewayOpcodes } from 'discord.js';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { shardForGuild } from './snowflake.js';
import { plainTransport, zlibStreamTransport, type Transport } from './gatewayTransport.js';

/**
 * The gateway: HELLO, IDENTIFY → READY (+ GUILD_CREATE), heartbeats, RESUME with replay of what a session missed,
 * sharding by Discord's formula, and closes a test asks for.
 */

export interface Session {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  seq: number;
  /** Dispatches sent (or owed) to this session, for replay on RESUME. */
  log: { op: 0; t: string; s: number; d: unknown }[];
  socket: Connection | null;
  /** False once the session can no longer be resumed. */
  resumable: boolean;
}

interface Connection {
  socket: WebSocket;
  transport: Transport;
  session: Session | null;
  /** A zombie connection: heartbeats go unanswered. */
  ackHeartbeats: boolean;
}

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  /** Intents the application may use (privileged ones must be switched on, as in the developer portal). */
  allowedIntents: () => number;
  ready: (session: Session) => unknown;
  /** Events a freshly identified session receives after READY (GUILD_CREATE, or GUILD_DELETE for outages). */
  initialGuilds: (session: Session) => { t: string; d: unknown }[];
  memberChunk: (session: Session, request: Record<string, unknown>) => object | null;
}

export interface DispatchTarget {
  /** Guild the event belongs to (routes to its shard); null for DMs, which go to shard 0. */
  guildId: string | null;
  /** Intent a session needs to receive it; null when none is needed. */
  intent: number | null;
}

const MAX_LOG = 5000;
const KNOWN_INTENTS = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((all, bit) => all | bit, 0);

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  readonly sessions: Session[] = [];
  /** Totals a test can assert on. */
  readonly stats = { identifies: 0, resumes: 0, invalidSessions: 0, heartbeats: 0 };

  constructor(private readonly hooks: GatewayHooks) {}

  /** Where clients resume (READY's resume_gateway_url). */
  resumeUrl(): string {
    return this.hooks.resumeUrl();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const compress = query.get('compress');
    const connection: Connection = {
      socket: ws,
      transport: compress === 'zlib-stream' ? zlibStreamTransport(ws) : plainTransport(ws),
      session: null,
      ackHeartbeats: true,
    };
    this.connections.add(connection);
    ws.on('close', (code) => this.onClose(connection, code));
    ws.on('error', () => undefined);
    if ((query.get('v') ?? '10') !== '10') return this.close(connection, 4012, 'Invalid API version');
    if ((query.get('encoding') ?? 'json') !== 'json') return this.close(connection, 4002, 'Only JSON encoding is served');
    if (compress !== null && compress !== 'zlib-stream') return this.close(connection, 4002, 'Unknown compression');
    ws.on('message', (data) => this.onMessage(connection, frameText(data)));
    this.send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs, _trace: [] } });
  }

  private onMessage(connection: Connection, text: string): void {
    let payload: { op?: number; d?: unknown };
    try {
      payload = JSON.parse(text) as { op?: number; d?: unknown };
    } catch {
      return this.close(connection, 4002, 'Decode error');
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.stats.heartbeats += 1;
        if (connection.ackHeartbeats) this.send(connection, { op: GatewayOpcodes.HeartbeatAck });
        return;
      case GatewayOpcodes.Identify:
        return this.identify(connection, payload.d as Record<string, unknown>);
      case GatewayOpcodes.Resume:
        return this.resume(connection, payload.d as Record<string, unknown>);
      case GatewayOpcodes.RequestGuildMembers: {
        if (!connection.session) return this.close(connection, 4003, 'Not authenticated');
        const chunk = this.hooks.memberChunk(connection.session, payload.d as Record<string, unknown>);
        if (chunk) this.deliver(connection.session, 'GUILD_MEMBERS_CHUNK', chunk);
        return;
      }
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        if (!connection.session) this.close(connection, 4003, 'Not authenticated');
        return;
      default:
        return this.close(connection, 4001, 'Unknown opcode');
    }
  }

  private identify(connection: Connection, d: Record<string, unknown>): void {
    if (connection.session) return this.close(connection, 4005, 'Already authenticated');
    if (d['token'] !== this.hooks.token) return this.close(connection, 4004, 'Authentication failed');
    const intents = Number(d['intents'] ?? 0);
    if (!Number.isInteger(intents) || (intents & ~KNOWN_INTENTS) !== 0) return this.close(connection, 4013, 'Invalid intent(s)');
    if ((intents & ~this.hooks.allowedIntents()) !== 0) return this.close(connection, 4014, 'Disallowed intent(s)');
    const [shardId, shardCount] = Array.isArray(d['shard']) ? (d['shard'] as number[]) : [0, 1];
    if (shardCount === undefined || shardId === undefined || shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      return this.close(connection, 4010, 'Invalid shard');
    }
    // A new session for this shard replaces disconnected ones, which would otherwise keep collecting events.
    for (const old of this.sessions) {
      if (old.shardId === shardId && old.shardCount === shardCount && !old.socket) old.resumable = false;
    }
    this.prune();
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      shardId,
      shardCount,
      intents,
      seq: 0,
      log: [],
      socket: connection,
      resumable: true,
    };
    this.sessions.push(session);
    connection.session = session;
    this.stats.identifies += 1;
    this.deliver(session, 'READY', this.hooks.ready(session));
    for (const event of this.hooks.initialGuilds(session)) this.deliver(session, event.t, event.d);
  }

  private resume(connection: Connection, d: Record<string, unknown>): void {
    if (connection.session) return this.close(connection, 4005, 'Already authenticated');
    if (d['token'] !== this.hooks.token) return this.close(connection, 4004, 'Authentication failed');
    const session = this.sessions.find((s) => s.id === d['session_id'] && s.resumable);
    const seq = Number(d['seq'] ?? 0);
    const first = session?.log[0];
    if (!session || seq > session.seq || (first !== undefined && first.s > seq + 1)) {
      this.stats.invalidSessions += 1;
      this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    if (session.socket) this.close(session.socket, 4000, 'Session resumed elsewhere');
    for (const entry of session.log) if (entry.s > seq) this.send(connection, entry);
    this.stats.resumes += 1;
    session.socket = connection;
    connection.session = session;
    this.deliver(session, 'RESUMED', { _trace: [] });
  }

  private onClose(connection: Connection, code: number): void {
    this.connections.delete(connection);
    connection.transport.close();
    const session = connection.session;
    if (!session || session.socket !== connection) return;
    session.socket = null;
    // Closing with 1000/1001 ends a session on Discord; any other code keeps it resumable.
    if (code === 1000 || code === 1001) session.resumable = false;
    this.prune();
  }

  /** Send an event to every session that should get it; `build` may tailor (or withhold, with null) the data. */
  dispatch(t: string, target: DispatchTarget, build: (session: Session) => object | null): number {
    let delivered = 0;
    for (const session of this.sessions) {
      if (!session.resumable) continue;
      const shard = target.guildId === null ? 0 : shardForGuild(target.guildId, session.shardCount);
      if (shard !== session.shardId) continue;
      if (target.intent !== null && (session.intents & target.intent) === 0) continue;
      const d = build(session);
      if (d === null) continue;
      this.deliver(session, t, d);
      delivered += 1;
    }
    return delivered;
  }

  private deliver(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const frame = { op: 0 as const, t, s: session.seq, d };
    session.log.push(frame);
    if (session.log.length > MAX_LOG) session.log.shift();
    if (session.socket) this.send(session.socket, frame);
  }

  /** Close live connections (of one shard, or all). Non-resumable closes end the session, so RESUME gets op 9. */
  cut(options: { code?: number; resumable: boolean; shardId?: number }): number {
    let cut = 0;
    for (const session of this.sessions) {
      if (options.shardId !== undefined && session.shardId !== options.shardId) continue;
      if (!options.resumable) session.resumable = false;
      if (session.socket) {
        this.close(session.socket, options.code ?? (options.resumable ? 4000 : 4009), 'Cut by test');
        cut += 1;
      }
    }
    return cut;
  }

  /** Make the live connections zombies: their heartbeats are no longer acknowledged. */
  stopAcks(shardId?: number): number {
    let count = 0;
    for (const connection of this.connections) {
      if (shardId !== undefined && connection.session?.shardId !== shardId) continue;
      connection.ackHeartbeats = false;
      count += 1;
    }
    return count;
  }

  /** Ask clients to reconnect (op 7) or tell them their session is invalid (op 9). */
  sendOp(op: GatewayOpcodes.Reconnect | GatewayOpcodes.InvalidSession, d: unknown, shardId?: number): void {
    for (const connection of this.connections) {
      if (shardId !== undefined && connection.session?.shardId !== shardId) continue;
      if (op === GatewayOpcodes.InvalidSession && d === false && connection.session) connection.session.resumable = false;
      this.send(connection, { op, d });
    }
  }

  /** Live, identified connections by shard id. */
  connectedShards(): number[] {
    return this.sessions.filter((s) => s.socket && s.resumable).map((s) => s.shardId);
  }

  private send(connection: Connection, payload: unknown): void {
    connection.transport.send(payload);
  }

  private close(connection: Connection, code: number, reason: string): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.close(code, reason);
  }

  private prune(): void {
    for (let i = this.sessions.length - 1; i >= 0; i--) if (!this.sessions[i]?.resumable) this.sessions.splice(i, 1);
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** A frame's text: ws hands frames over as Buffers (its default binaryType), or as the pieces of a fragmented one. */
function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString();
}
