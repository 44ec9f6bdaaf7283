/**
 * Which IP addresses a user-supplied link may make the bot connect to. Anything that is not plain
 * public unicast (loopback, private networks, link-local, CGNAT, multicast, documentation and
 * other reserved ranges) is refused, so a link cannot reach the bot's own machine or network.
 * IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that IPv4 address.
 */

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared' // 100.64.0.0/10, carrier-grade NAT
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'invalid';

/** True only for addresses a fetch may connect to. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}

/** The class of an IPv4 or IPv6 address in text form (IPv6 may carry a `%zone` and brackets). */
export function classifyAddress(address: string): AddressClass {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return classifyIPv6(v6);
  return 'invalid';
}

// ---------------------------------------------------------------------------------------------
// IPv4: a 32-bit unsigned number.

interface Range {
  base: number;
  bits: number;
  kind: Exclude<AddressClass, 'public' | 'invalid'>;
}

function v4(dotted: string, bits: number, kind: Range['kind']): Range {
  const base = parseIPv4(dotted);
  if (base === undefined) throw new Error(`bad range ${dotted}`);
  return { base, bits, kind };
}

// IANA IPv4 special-purpose registry, plus multicast and the old class E.
const IPV4_RANGES: readonly Range[] = [
  v4('255.255.255.255', 32, 'broadcast'),
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'shared'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'), // IETF protocol assignments
  v4('192.0.2.0', 24, 'reserved'), // TEST-NET-1
  v4('192.88.99.0', 24, 'reserved'), // old 6to4 relay anycast
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'), // benchmarking
  v4('198.51.100.0', 24, 'reserved'), // TEST-NET-2
  v4('203.0.113.0', 24, 'reserved'), // TEST-NET-3
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

function classifyIPv4(value: number): AddressClass {
  for (const range of IPV4_RANGES) {
    const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
    if ((value & mask) >>> 0 === range.base) return range.kind;
  }
  return 'public';
}

/** Strict dotted-quad only (the URL parser has already turned `2130706433` or `0x7f.1` into this). */
function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// IPv6: eight 16-bit groups.

function parseIPv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const bare = zone === -1 ? text : text.slice(0, zone);
  if (!bare.includes(':')) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Colon-separated hex groups; the last one may be a dotted IPv4 address (two groups). */
function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const embedded = parseIPv4(part);
      if (embedded === undefined) return undefined;
      groups.push(Math.floor(embedded / 0x10000), embedded % 0x10000);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function classifyIPv6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = g6 * 0x10000 + g7;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;

  if (firstFiveZero && g5 === 0xffff) return classifyIPv4(embeddedV4); // ::ffff:a.b.c.d mapped
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified'; // ::
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback'; // ::1
  if (firstFiveZero && g5 === 0) return 'reserved'; // deprecated IPv4-compatible ::a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyIPv4(embeddedV4); // NAT64 well-known prefix 64:ff9b::/96
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'; // local-use NAT64 64:ff9b:1::/48
  if (g0 === 0x2002) return classifyIPv4(g1 * 0x10000 + g2); // 6to4 2002:AABB:CCDD::/48
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 old site-local
  if ((g0 & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if (g0 === 0x2001 && g1 < 0x0200) return 'reserved'; // 2001::/23 protocol assignments (Teredo, ORCHID…)
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // 2001:db8::/32 documentation
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return 'reserved'; // 3fff::/20 documentation
  // Only 2000::/3 is allocated as global unicast; the rest (100::/64 discard, 5f00::/16 …) is not public.
  if ((g0 & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}
