/** Injected HTTP faults: 429s with the headers discord.js reads, 5xx bursts, and slow answers. */

export type RouteMatcher = RegExp | string;

export interface FaultSpec {
  /** Matched against the request path (e.g. `/api/v10/channels/1/messages`): a string by inclusion, a RegExp by test. */
  route?: RouteMatcher;
  method?: string;
  status: 429 | 500 | 502 | 503;
  /** How many matching requests get this answer. */
  times: number;
  /** For 429: how long the client must wait (default 100 ms). */
  retryAfterMs?: number;
  /** For 429: a global rate limit (`x-ratelimit-global`), blocking every route until it resets. */
  global?: boolean;
  /** For 429: `x-ratelimit-scope` (default `user`, or `global` when global). */
  scope?: 'user' | 'shared' | 'global';
}

export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  kind: 'rate-limit' | 'server-error';
}

/** A request that arrived while the client had been told to wait (a 429 not honoured). */
export interface RateLimitViolation {
  method: string;
  path: string;
  at: number;
  waitUntil: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

interface Delay {
  ms: number;
  route?: RouteMatcher;
}

interface Hold {
  route?: RouteMatcher;
  released: Promise<void>;
  release: () => void;
}

export class Faults {
  private faults: ActiveFault[] = [];
  private delays: Delay[] = [];
  private holds: Hold[] = [];
  /** Per `METHOD path`, when the last 429 lets the client retry. */
  private blockedUntil = new Map<string, number>();
  private globalBlockedUntil = 0;
  readonly violations: RateLimitViolation[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  inject(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times });
  }

  /** Delay every matching answer by `ms` (0 removes delays for that matcher, or all delays without one). */
  delay(ms: number, route?: RouteMatcher): void {
    if (ms <= 0) {
      this.delays = route === undefined ? [] : this.delays.filter((d) => String(d.route) !== String(route));
      return;
    }
    this.delays.push(route === undefined ? { ms } : { ms, route });
  }

  /** Holds every matching answer until the returned function is called (or the faults are cleared). */
  hold(route?: RouteMatcher): () => void {
    let resolve!: () => void;
    const released = new Promise<void>((done) => (resolve = done));
    const hold: Hold = {
      ...(route === undefined ? {} : { route }),
      released,
      release: () => {
        this.holds = this.holds.filter((other) => other !== hold);
        resolve();
      },
    };
    this.holds.push(hold);
    return hold.release;
  }

  /** Resolves once no hold matches the path. */
  async released(path: string): Promise<void> {
    await Promise.all(this.holds.filter((hold) => matches(hold.route, path)).map((hold) => hold.released));
  }

  clear(): void {
    for (const hold of this.holds) hold.release();
    this.faults = [];
    this.delays = [];
    this.blockedUntil.clear();
    this.globalBlockedUntil = 0;
  }

  /** Faults still waiting to fire. */
  pending(): number {
    return this.faults.reduce((sum, f) => sum + f.remaining, 0);
  }

  delayFor(path: string): number {
    return this.delays.filter((d) => matches(d.route, path)).reduce((sum, d) => sum + d.ms, 0);
  }

  /** The fault answer for this request, if any; a request inside an unexpired 429 window is refused again. */
  check(method: string, path: string): FaultAnswer | null {
    const now = this.now();
    const key = `${method} ${path}`;
    if (now < this.globalBlockedUntil) {
      this.violations.push({ method, path, at: now, waitUntil: this.globalBlockedUntil });
      return rateLimited(this.globalBlockedUntil - now, true, 'global', key);
    }
    const until = this.blockedUntil.get(key) ?? 0;
    if (now < until) {
      this.violations.push({ method, path, at: now, waitUntil: until });
      return rateLimited(until - now, false, 'user', key);
    }
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f.route, path) && (!f.method || f.method.toUpperCase() === method));
    if (!fault) return null;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    if (fault.status !== 429) return serverError(fault.status);
    const waitMs = fault.retryAfterMs ?? 100;
    if (fault.global) this.globalBlockedUntil = now + waitMs;
    else this.blockedUntil.set(key, now + waitMs);
    return rateLimited(waitMs, fault.global === true, fault.scope ?? (fault.global ? 'global' : 'user'), key);
  }
}

function matches(route: RouteMatcher | undefined, path: string): boolean {
  if (route === undefined) return true;
  return typeof route === 'string' ? path.includes(route) : route.test(path);
}

function rateLimited(waitMs: number, global: boolean, scope: string, key: string): FaultAnswer {
  const seconds = (waitMs / 1000).toFixed(3);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'retry-after': seconds,
    'x-ratelimit-scope': scope,
  };
  if (global) headers['x-ratelimit-global'] = 'true';
  else {
    Object.assign(headers, {
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': ((Date.now() + waitMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': seconds,
      'x-ratelimit-bucket': Buffer.from(key).toString('hex').slice(0, 32),
    });
  }
  const body = JSON.stringify({ message: 'You are being rate limited.', retry_after: waitMs / 1000, global });
  return { status: 429, headers, body, kind: 'rate-limit' };
}

function serverError(status: number): FaultAnswer {
  if (status === 500) {
    return {
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: '500: Internal Server Error', code: 0 }),
      kind: 'server-error',
    };
  }
  // Cloudflare answers 502/503 with an HTML page, not JSON.
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center></body></html>`,
    kind: 'server-error',
  };
}
