/**
 * Why an image could not be fetched. `message` is a short sentence fit to show the person who
 * gave the link; details for logs (DNS errors, socket errors, resolved addresses) go in `cause`.
 */

export type ImageFetchFailure =
  | 'host-not-allowed'
  | 'private-address'
  | 'too-large'
  | 'timeout'
  | 'http-status'
  | 'unreachable'
  | 'not-an-image'
  | 'bad-url'
  | 'too-many-redirects';

export class ImageFetchError extends Error {
  readonly reason: ImageFetchFailure;
  /** The HTTP status, for 'http-status'. */
  readonly status?: number;

  constructor(reason: ImageFetchFailure, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImageFetchError';
    this.reason = reason;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** The host as the user would recognise it, kept short enough for a chat message. */
export function displayHost(url: URL): string {
  return url.host.length > 80 ? `${url.host.slice(0, 79)}…` : url.host;
}

/** 26214400 → "25 MB", 1536 → "1.5 KB" (binary units, as Discord counts them). */
export function formatSize(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

export const fetchErrors = {
  invalidUrl: (cause: unknown) => new ImageFetchError('bad-url', 'That is not a valid web link.', { cause }),
  notHttp: () => new ImageFetchError('bad-url', 'Only http and https links can be fetched.'),
  credentials: () => new ImageFetchError('bad-url', 'Links with a user name or password in them are not fetched.'),
  hostNotAllowed: (url: URL) => new ImageFetchError('host-not-allowed', `I don't fetch images from ${displayHost(url)}.`),
  privateAddress: (cause: unknown) =>
    new ImageFetchError('private-address', "That link points to a private network address, which I won't fetch.", { cause }),
  tooLarge: (maxBytes: number, cause?: unknown) =>
    new ImageFetchError('too-large', `The image is larger than ${formatSize(maxBytes)}.`, { cause }),
  timeout: (url: URL, cause: unknown) =>
    new ImageFetchError('timeout', `The server at ${displayHost(url)} did not answer in time.`, { cause }),
  httpStatus: (status: number) => new ImageFetchError('http-status', `That link answered HTTP ${status}.`, { status }),
  notFound: (url: URL, cause: unknown) => new ImageFetchError('unreachable', `I could not find the server ${displayHost(url)}.`, { cause }),
  unreachable: (url: URL, cause: unknown) =>
    new ImageFetchError('unreachable', `I could not reach the server at ${displayHost(url)}.`, { cause }),
  brokenOff: (url: URL, cause: unknown) =>
    new ImageFetchError('unreachable', `The server at ${displayHost(url)} broke off before the image finished downloading.`, { cause }),
  notAnImage: (mediaType: string) =>
    new ImageFetchError(
      'not-an-image',
      // The type comes from the server: show it only when it looks like a plain media type.
      /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(mediaType)
        ? `That link is not an image (the server says it is ${mediaType}).`
        : 'That link is not an image.',
    ),
  tooManyRedirects: (max: number) =>
    new ImageFetchError('too-many-redirects', `That link redirects more than ${max} time${max === 1 ? '' : 's'}.`),
};
