import type { IncomingHttpHeaders } from 'node:http';
import type { UploadedFile } from './messageInput.js';

/** A small REST router: `METHOD /path/:param` patterns relative to `/api/v10`. */

export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  files: UploadedFile[];
}

export interface RestAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RestHandler = (request: RestRequest) => RestAnswer | Promise<RestAnswer>;

export interface Route {
  method: string;
  pattern: string;
  /** Whether the bot token must be sent (interaction and webhook-token routes need none). */
  auth: boolean;
  handler: RestHandler;
  regex: RegExp;
  keys: string[];
}

export const ok = (body: unknown): RestAnswer => ({ status: 200, body });
export const created = (body: unknown): RestAnswer => ({ status: 201, body });
export const noContent = (): RestAnswer => ({ status: 204 });

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RestHandler, options: { auth?: boolean } = {}): void {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        keys.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern, auth: options.auth ?? true, handler, regex: new RegExp(`^${source}$`), keys });
  }

  find(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    // The first registered route wins: register /users/@me before /users/:userId.
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.regex.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1] ?? '')));
      return { route, params };
    }
    return null;
  }
}
