import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runHealthChecks, type HealthChecks } from './healthChecks.js';
import type { BotMetrics } from './metrics.js';

export type { HealthChecks, HealthReport } from './healthChecks.js';

export interface HealthServerOptions {
  /** 0 picks a free port; the one chosen is in the result. */
  port: number;
  /** Default '0.0.0.0' (all IPv4 interfaces), so an orchestrator or Prometheus can reach it. */
  host?: string;
  metrics: BotMetrics;
  checks: HealthChecks;
  /** Longest wait for any one check before it counts as failed; default 2000 ms. */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  /** e.g. http://127.0.0.1:9464 (loopback when listening on all interfaces). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The server could not start (e.g. the port is taken). */
export class HealthServerListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: Error,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? 'another process uses that port: stop it or choose another HEALTH_PORT'
        : code === 'EACCES'
          ? 'ports below 1024 need privileges: choose a HEALTH_PORT of 1024 or more'
          : 'check HEALTH_PORT and the host address';
    super(`Health/metrics server cannot listen on ${host}:${port} (${cause.message}); ${hint}.`, { cause });
    this.name = 'HealthServerListenError';
  }
}

const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/** Serves GET/HEAD /healthz (JSON, 200 or 503) and /metrics (Prometheus text); 404 for anything else. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '0.0.0.0';
  const checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${describe(error)}\n`);
      else response.destroy();
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/healthz' && path !== '/metrics') {
      send(response, 404, 'text/plain; charset=utf-8', 'Not found: try /healthz or /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed: use GET or HEAD\n');
      return;
    }
    if (path === '/healthz') {
      const report = await runHealthChecks(options.checks, checkTimeoutMs);
      const status = report.status === 'ok' ? 200 : 503;
      send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(report)}\n`);
    } else {
      const text = await options.metrics.expose();
      send(response, 200, options.metrics.contentType, text);
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new HealthServerListenError(host, options.port, error));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${reachableHost(host)}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (Prometheus keeps one open) would otherwise hold close() up.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  // node:http omits the body of a HEAD response by itself.
  response.end(body);
}

/** A host a client can connect to: loopback stands in for "all interfaces". */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
