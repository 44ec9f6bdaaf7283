/**
 * A list of hosts as configured (`cdn.discordapp.com`, `127.0.0.1:4001`, `[::1]:8080`): an entry
 * without a port matches that host on any port, an entry with a port matches only that port
 * (a URL without a port is on 80 or 443). Host names are compared the way the URL parser writes
 * them (lower case, punycode, numeric IPv4 forms turned dotted), ignoring a trailing dot.
 */
export class HostList {
  private readonly entries: readonly { host: string; port: string | undefined }[];

  constructor(entries: readonly string[]) {
    this.entries = entries.map(parseEntry);
  }

  get size(): number {
    return this.entries.length;
  }

  includes(url: URL): boolean {
    const host = withoutTrailingDot(url.hostname);
    const port = effectivePort(url);
    return this.entries.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port));
  }
}

export function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function parseEntry(entry: string): { host: string; port: string | undefined } {
  const text = entry.trim().toLowerCase();
  // A bare IPv6 address (several colons, no brackets) has no port.
  const bareIPv6 = !text.startsWith('[') && text.indexOf(':') !== text.lastIndexOf(':');
  const match = bareIPv6 ? ['', `[${text}]`, undefined] : /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const host = match?.[1];
  if (host === undefined) throw new TypeError(`Invalid host list entry "${entry}": expected host or host:port.`);
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch (error) {
    throw new TypeError(`Invalid host list entry "${entry}": expected host or host:port.`, { cause: error });
  }
  const port = match?.[2];
  return { host: withoutTrailingDot(hostname), port: port === undefined ? undefined : String(Number(port)) };
}

function withoutTrailingDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}
