import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { request, type Dispatcher } from 'undici';
import { classifyAddress } from './addressPolicy.js';
import { HostList } from './hostList.js';
import { fetchErrors, ImageFetchError } from './imageFetchError.js';
import { createPinnedAgent } from './pinnedAgent.js';

export { ImageFetchError, type ImageFetchFailure } from './imageFetchError.js';

export interface FetchImageOptions {
  /** Refuse bigger: from Content-Length up front, and by counting while streaming (abort past the cap). */
  maxBytes: number;
  /** The whole download (DNS + connect + headers + body + redirects). */
  timeoutMs: number;
  /** Hosts (host or host:port, lower-case) that may be fetched. When given, any other host is refused (Discord CDN allow-list). */
  allowedHosts?: readonly string[];
  /** Loopback/private/link-local/multicast/reserved addresses are refused (SSRF), except hosts listed here (tests and the CDN allow-list on loopback). */
  trustedHosts?: readonly string[];
  /** Default 3; every hop is re-checked against the same rules. */
  maxRedirects?: number;
  /** Sent as User-Agent; some hosts refuse requests without one. */
  userAgent?: string;
  /** Name resolution, every address of a host name. Default: the system resolver. Tests use it to play DNS. */
  resolveHost?: (hostname: string) => Promise<readonly string[]>;
}

export interface FetchedImage {
  bytes: Uint8Array;
  /** The media type the server gave (e.g. `image/png`), without parameters; undefined when it gave none. */
  contentType: string | undefined;
  /** Where the bytes came from, after redirects. */
  finalUrl: string;
}

const DEFAULT_MAX_REDIRECTS = 3;
const DEFAULT_USER_AGENT = 'image-search-bot/0.1';
const UNDICI_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Types that say "some bytes" without saying what: the decoder sniffs them later.
const UNSPECIFIED_BINARY_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/binary', 'application/unknown']);

interface FetchContext {
  maxBytes: number;
  timeoutMs: number;
  allowed: HostList | undefined;
  trusted: HostList;
  userAgent: string;
  resolveHost: (hostname: string) => Promise<readonly string[]>;
  signal: AbortSignal;
}

type HopOutcome = { redirectTo: string } | { image: FetchedImage };

/**
 * Downloads an image from a user-supplied or CDN URL without letting the URL reach private
 * networks, run past the size cap, or hang. Throws ImageFetchError for every refusal or failure.
 */
export async function fetchImage(url: string, options: FetchImageOptions): Promise<FetchedImage> {
  checkOptions(options);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const controller = new AbortController();
  const context: FetchContext = {
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    allowed: options.allowedHosts === undefined ? undefined : new HostList(options.allowedHosts),
    trusted: new HostList(options.trustedHosts ?? []),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    resolveHost: options.resolveHost ?? resolveWithSystem,
    signal: controller.signal,
  };

  let target = parseTarget(url);
  // Started only once nothing above can throw, so a refused URL leaves no timer behind.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`download exceeded ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const outcome = await fetchHop(target, context);
      if ('image' in outcome) return outcome.image;
      if (redirects >= maxRedirects) throw fetchErrors.tooManyRedirects(maxRedirects);
      target = parseTarget(outcome.redirectTo, target);
    }
  } catch (error) {
    if (error instanceof ImageFetchError) throw error;
    if (timedOut) throw fetchErrors.timeout(target, error);
    throw networkFailure(target, error);
  } finally {
    clearTimeout(timer);
  }
}

/** One request: check the host, resolve and check its addresses, then ask them and only them. */
async function fetchHop(target: URL, context: FetchContext): Promise<HopOutcome> {
  if (context.allowed !== undefined && !context.allowed.includes(target)) throw fetchErrors.hostNotAllowed(target);
  const hostname = unbracketed(target.hostname);
  const addresses = net.isIP(hostname) ? [hostname] : await abortable(context.resolveHost(hostname), context.signal);
  if (addresses.length === 0) throw fetchErrors.notFound(target, new Error(`no addresses for ${hostname}`));
  if (!context.trusted.includes(target)) {
    const refused = addresses.filter((address) => classifyAddress(address) !== 'public');
    if (refused.length > 0) {
      const classes = refused.map((address) => `${address} (${classifyAddress(address)})`).join(', ');
      throw fetchErrors.privateAddress(new Error(`${target.host} resolves to ${classes}`));
    }
  }

  const agent = createPinnedAgent(hostname, addresses, context.timeoutMs);
  try {
    const response = await request(target, {
      dispatcher: agent,
      method: 'GET',
      headers: { accept: 'image/*,*/*;q=0.8', 'accept-encoding': 'identity', 'user-agent': context.userAgent },
      signal: context.signal,
    });
    return await readResponse(response, target, context);
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

async function readResponse(response: Dispatcher.ResponseData, target: URL, context: FetchContext): Promise<HopOutcome> {
  const { statusCode, headers, body } = response;
  // Destroying an unfinished undici body emits an 'error' (RequestAbortedError); the fetch has
  // already decided what to report by then, so that echo is dropped here.
  body.on('error', () => undefined);
  const location = headerValue(headers.location);
  if (REDIRECT_STATUSES.has(statusCode) && location !== undefined) {
    body.destroy();
    return { redirectTo: location };
  }
  if (statusCode < 200 || statusCode > 299) {
    body.destroy();
    throw fetchErrors.httpStatus(statusCode);
  }

  const contentType = mediaType(headerValue(headers['content-type']));
  if (contentType !== undefined && !contentType.startsWith('image/') && !UNSPECIFIED_BINARY_TYPES.has(contentType)) {
    body.destroy();
    throw fetchErrors.notAnImage(contentType);
  }
  const declaredLength = headerValue(headers['content-length']);
  if (declaredLength !== undefined && /^\d+$/.test(declaredLength) && Number(declaredLength) > context.maxBytes) {
    body.destroy();
    throw fetchErrors.tooLarge(context.maxBytes, new Error(`Content-Length ${declaredLength}`));
  }

  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      // Leaving the loop destroys the stream, so nothing past the cap is read.
      if (received > context.maxBytes) {
        throw fetchErrors.tooLarge(context.maxBytes, new Error(`body passed ${context.maxBytes} bytes while streaming`));
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ImageFetchError || context.signal.aborted || isUndiciTimeout(error)) throw error;
    throw fetchErrors.brokenOff(target, error);
  }
  const joined = Buffer.concat(chunks, received);
  const bytes = new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  return { image: { bytes, contentType, finalUrl: target.href } };
}

/** A URL the fetcher may try: http(s), no credentials. `base` resolves relative redirect targets. */
function parseTarget(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (error) {
    throw fetchErrors.invalidUrl(error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fetchErrors.notHttp();
  if (url.username !== '' || url.password !== '') throw fetchErrors.credentials();
  if (url.hostname === '') throw fetchErrors.invalidUrl(new Error('no host'));
  return url;
}

function checkOptions(options: FetchImageOptions): void {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) throw new TypeError('maxBytes must be a positive integer');
  if (!(options.timeoutMs > 0) || !Number.isFinite(options.timeoutMs)) throw new TypeError('timeoutMs must be a positive number');
  const max = options.maxRedirects;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 0)) throw new TypeError('maxRedirects must be a whole number ≥ 0');
}

async function resolveWithSystem(hostname: string): Promise<readonly string[]> {
  const found = await lookup(hostname, { all: true });
  return found.map((entry) => entry.address);
}

/** What the signal was aborted with: fetchImage aborts only with an Error. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

/** Rejects as soon as the signal aborts (a DNS lookup cannot itself be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Socket and DNS failures, told apart only as far as the user can act on them. */
function networkFailure(target: URL, error: unknown): ImageFetchError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return fetchErrors.notFound(target, error);
  }
  if (isUndiciTimeout(error)) return fetchErrors.timeout(target, error);
  return fetchErrors.unreachable(target, error);
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNDICI_TIMEOUT_CODES.has(code);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `Image/PNG; charset=x` → `image/png`; empty → undefined. */
function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

function unbracketed(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
