import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cdn } from './cdn.js';
import { ApiError } from './errors.js';
import type { Faults } from './faults.js';
import type { Gateway } from './gateway.js';
import type { GroundTruth, RequestRecord } from './groundTruth.js';
import type { UploadedFile } from './messageInput.js';
import type { RestAnswer, Router } from './router.js';
import { explainBadRequest, refuseInvalidBody } from './spec/requestCheck.js';

/** One HTTP server on loopback for REST (/api/v10), the CDN (/attachments) and the gateway (WebSocket upgrade). */

export const API_PREFIX = '/api/v10';

export interface ServerParts {
  router: Router;
  cdn: Cdn;
  faults: Faults;
  gateway: Gateway;
  truth: GroundTruth;
  token: string;
}

export class FakeServer {
  private readonly server: Server;
  /** Aborts injected delays and holds on close, so no timer or held answer outlives the server. */
  private readonly closing = new AbortController();
  private readonly closed = new Promise<void>((resolve) => this.closing.signal.addEventListener('abort', () => resolve(), { once: true }));

  constructor(private readonly parts: ServerParts) {
    this.server = createServer((req, res) => {
      // A client that gives up mid-request (timeout, abort) must not crash the test process.
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('upgrade', (req, socket, head) => parts.gateway.handleUpgrade(req, socket, head));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.parts.gateway.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const kind = url.pathname.startsWith(`${API_PREFIX}/`) ? 'api' : url.pathname.startsWith('/attachments/') ? 'cdn' : 'other';
    const { body, files } = await parseBody(req.headers['content-type'], raw).catch(() => ({ body: null, files: [] }));
    const record = this.parts.truth.startRequest({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      kind,
      route: null,
      startedAt: Date.now(),
      finishedAt: null,
      status: null,
      fault: null,
      body,
      files: files.map((f) => ({ field: f.field, filename: f.filename, contentType: f.contentType, size: f.data.length })),
      userAgent: req.headers['user-agent'] ?? null,
      refusal: null,
    });
    const delay = this.parts.faults.delayFor(url.pathname);
    if (delay > 0) await sleep(delay, undefined, { signal: this.closing.signal });
    await Promise.race([this.parts.faults.released(url.pathname), this.closed]);
    this.closing.signal.throwIfAborted();
    const fault = this.parts.faults.check(method, url.pathname);
    if (fault) {
      record.fault = fault.kind;
      return send(res, record, fault.status, fault.headers, fault.body);
    }
    if (kind === 'cdn') {
      const answer = this.parts.cdn.serve(url.pathname, url.searchParams);
      record.route = 'GET /attachments/:channelId/:attachmentId/:filename';
      return send(res, record, answer.status, answer.headers, method === 'HEAD' ? Buffer.alloc(0) : answer.body);
    }
    if (kind !== 'api') return sendJson(res, record, 404, { message: '404: Not Found', code: 0 });
    const path = url.pathname.slice(API_PREFIX.length);
    const found = this.parts.router.find(method, path);
    if (!found) return sendJson(res, record, 404, { message: '404: Not Found', code: 0 });
    record.route = `${method} ${found.route.pattern}`;
    if (found.route.auth && req.headers.authorization !== `Bot ${this.parts.token}`) {
      return sendJson(res, record, 401, { message: '401: Unauthorized', code: 0 });
    }
    const refusal = body === null ? null : refuseInvalidBody(method, path, body);
    if (refusal) {
      record.refusal = refusal.explanation;
      return sendJson(res, record, 400, refusal.answer.body());
    }
    let answer: RestAnswer;
    try {
      answer = await found.route.handler({
        method,
        path,
        params: found.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        files,
      });
    } catch (error) {
      if (error instanceof ApiError) {
        record.refusal = explainBadRequest(record.route, error);
        return sendJson(res, record, error.status, error.body());
      }
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return sendJson(res, record, 500, { message: `fake Discord handler failed: ${message}`, code: 0 });
    }
    if (answer.status === 204 || answer.body === undefined) return send(res, record, answer.status, answer.headers ?? {}, Buffer.alloc(0));
    return sendJson(res, record, answer.status, answer.body, answer.headers);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(contentType: string | undefined, raw: Buffer): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: null, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    let body: unknown = null;
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
        continue;
      }
      files.push({
        field,
        filename: value.name,
        contentType: value.type || null,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

function sendJson(res: ServerResponse, record: RequestRecord, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, record, status, { 'content-type': 'application/json', ...headers }, Buffer.from(JSON.stringify(body)));
}

function send(res: ServerResponse, record: RequestRecord, status: number, headers: Record<string, string>, body: Buffer | string): void {
  record.status = status;
  record.finishedAt = Date.now();
  if (res.destroyed) return;
  res.writeHead(status, headers);
  res.end(body);
}
