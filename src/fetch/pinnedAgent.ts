import type { LookupAddress } from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/**
 * An undici dispatcher whose connections go only to `addresses` (already checked) when it is asked
 * for `hostname`. Name resolution happens once, before the check; the socket then asks this lookup
 * instead of DNS, so a name that re-resolves elsewhere afterwards (DNS rebinding) changes nothing.
 * TLS still verifies the certificate against the host name, since only the address is swapped.
 */
export function createPinnedAgent(hostname: string, addresses: readonly string[], timeoutMs: number): Agent {
  return new Agent({
    // The caller's own deadline covers the whole download; these only make sure nothing outlives it.
    connect: { lookup: pinnedLookup(hostname, addresses), timeout: timeoutMs + 1000 },
    headersTimeout: timeoutMs + 1000,
    bodyTimeout: timeoutMs + 1000,
    connections: 1,
  });
}

export function pinnedLookup(hostname: string, addresses: readonly string[]): LookupFunction {
  const entries: LookupAddress[] = addresses.map((address) => ({ address, family: net.isIP(address) }));
  const expected = hostname.toLowerCase();
  return (name, options, callback) => {
    const first = entries[0];
    if (name.toLowerCase() !== expected || first === undefined) {
      const error: NodeJS.ErrnoException = new Error(`pinned lookup has no address for ${name}`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    // node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
    if (options.all) callback(null, entries);
    else callback(null, first.address, first.family);
  };
}
