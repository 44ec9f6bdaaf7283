import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyAddress, type AddressClass } from '../../src/fetch/addressPolicy.js';
import { HostList } from '../../src/fetch/hostList.js';
import { fetchImage, ImageFetchError, type FetchImageOptions } from '../../src/fetch/imageFetcher.js';

interface TestServer {
  port: number;
  host: string;
  url(path: string): string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Host headers received, in order. */
  hostHeaders: (string | undefined)[];
  close(): Promise<void>;
}

async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const requests: string[] = [];
  const hostHeaders: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    hostHeaders.push(req.headers.host);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    hostHeaders,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The options a test passes to reach `server` on loopback. */
function trusting(server: TestServer, extra: Partial<FetchImageOptions> = {}): FetchImageOptions {
  return { maxBytes: 1024 * 1024, timeoutMs: 2000, trustedHosts: [server.host], ...extra };
}

async function failure(promise: Promise<unknown>): Promise<ImageFetchError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ImageFetchError, `expected ImageFetchError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the fetch to fail');
}

describe('fetchImage', () => {
  const png = randomBytes(5000);
  const servers: TestServer[] = [];
  let images: TestServer;

  before(async () => {
    images = await startServer((req, res) => {
      if (req.url === '/cat.png') {
        res.writeHead(200, { 'content-type': 'image/PNG; foo=bar', 'content-length': png.length });
        res.end(png);
      } else if (req.url === '/bytes') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(png);
      } else if (req.url === '/untyped') {
        res.writeHead(200); // node adds no content-type on its own
        res.end(png);
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/cat.png' });
        res.end();
      } else if (req.url?.startsWith('/loop/')) {
        res.writeHead(301, { location: `/loop/${Number(req.url.slice('/loop/'.length)) + 1}` });
        res.end();
      } else if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html>not an image</html>');
      } else if (req.url === '/data.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('missing');
      }
    });
    servers.push(images);
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  test('downloads the bytes and the content type from a trusted server', async () => {
    const result = await fetchImage(images.url('/cat.png'), trusting(images));
    assert.deepEqual(Buffer.from(result.bytes), png);
    assert.equal(result.contentType, 'image/png');
    assert.equal(result.finalUrl, images.url('/cat.png'));
  });

  test('accepts octet-stream and a missing content type, leaving the sniffing to the decoder', async () => {
    const binary = await fetchImage(images.url('/bytes'), trusting(images));
    const untyped = await fetchImage(images.url('/untyped'), trusting(images));
    assert.equal(binary.contentType, 'application/octet-stream');
    assert.equal(untyped.contentType, undefined);
    assert.deepEqual(Buffer.from(untyped.bytes), png);
  });

  test('follows a redirect within the limit and reports the final URL', async () => {
    const result = await fetchImage(images.url('/moved'), trusting(images));
    assert.equal(result.finalUrl, images.url('/cat.png'));
    assert.deepEqual(Buffer.from(result.bytes), png);
  });

  test('fetches from a host on the allow-list', async () => {
    const result = await fetchImage(images.url('/cat.png'), trusting(images, { allowedHosts: [images.host] }));
    assert.equal(result.bytes.length, png.length);
  });

  test('refuses a host outside allowedHosts without contacting it', async () => {
    const before = images.requests.length;
    const error = await failure(fetchImage(images.url('/cat.png'), trusting(images, { allowedHosts: ['cdn.discordapp.com'] })));
    assert.equal(error.reason, 'host-not-allowed');
    assert.equal(images.requests.length, before);
  });

  for (const [name, address] of [
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/cat.png`],
    ['localhost', (port: number) => `http://localhost:${port}/cat.png`],
    ['[::1]', (port: number) => `http://[::1]:${port}/cat.png`],
    ['an integer IPv4 (2130706433)', (port: number) => `http://2130706433:${port}/cat.png`],
    ['a hex IPv4 (0x7f.1)', (port: number) => `http://0x7f.1:${port}/cat.png`],
    ['an IPv4-mapped IPv6 ([::ffff:127.0.0.1])', (port: number) => `http://[::ffff:127.0.0.1]:${port}/cat.png`],
  ] as const) {
    test(`refuses loopback when not trusted: ${name}`, async () => {
      const before = images.requests.length;
      const error = await failure(fetchImage(address(images.port), { maxBytes: 1_000_000, timeoutMs: 2000 }));
      assert.equal(error.reason, 'private-address');
      assert.equal(error.message, "That link points to a private network address, which I won't fetch.");
      assert.equal(images.requests.length, before);
    });
  }

  test('refuses a host name when any one of its addresses is private', async () => {
    const error = await failure(
      fetchImage('http://mixed.test/cat.png', {
        maxBytes: 1_000_000,
        timeoutMs: 2000,
        resolveHost: async () => ['93.184.216.34', '10.1.2.3'],
      }),
    );
    assert.equal(error.reason, 'private-address');
    assert.match(String((error.cause as Error).message), /10\.1\.2\.3 \(private\)/);
  });

  test('connects to the address it resolved and checked, without resolving again', async () => {
    let lookups = 0;
    const result = await fetchImage(`http://images.test:${images.port}/cat.png`, {
      maxBytes: 1_000_000,
      timeoutMs: 2000,
      trustedHosts: [`images.test:${images.port}`],
      resolveHost: async () => {
        lookups += 1;
        return ['127.0.0.1'];
      },
    });
    assert.equal(result.bytes.length, png.length);
    assert.equal(lookups, 1);
    assert.equal(images.hostHeaders.at(-1), `images.test:${images.port}`);
  });

  test('refuses a trusted server redirecting to an untrusted loopback port, and never contacts that port', async () => {
    const inner = await startServer((_req, res) => res.end('secret'));
    servers.push(inner);
    const outer = await startServer((_req, res) => {
      res.writeHead(302, { location: inner.url('/admin') });
      res.end();
    });
    servers.push(outer);
    const error = await failure(fetchImage(outer.url('/x'), trusting(outer)));
    assert.equal(error.reason, 'private-address');
    assert.equal(outer.requests.length, 1);
    assert.equal(inner.requests.length, 0);
  });

  test('refuses a redirect chain longer than the limit', async () => {
    const before = images.requests.length;
    const error = await failure(fetchImage(images.url('/loop/0'), trusting(images, { maxRedirects: 2 })));
    assert.equal(error.reason, 'too-many-redirects');
    assert.equal(images.requests.length - before, 3); // the first request and two redirects
  });

  test('refuses a Content-Length over the cap without waiting for the body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 50_000_000 });
      res.flushHeaders(); // …and never send the body
    });
    servers.push(server);
    const started = Date.now();
    const error = await failure(fetchImage(server.url('/big.jpg'), trusting(server, { maxBytes: 25 * 1024 * 1024, timeoutMs: 5000 })));
    assert.equal(error.reason, 'too-large');
    assert.equal(error.message, 'The image is larger than 25 MB.');
    assert.ok(Date.now() - started < 2000, 'refused from the header, not after a timeout');
  });

  test('aborts a chunked body mid-stream once it passes the cap', async () => {
    let sent = 0;
    let closed!: Promise<void>;
    const server = await startServer((_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'image/png' }); // no length: chunked, endless
      const chunk = Buffer.alloc(4096, 1);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    servers.push(server);
    const error = await failure(fetchImage(server.url('/endless.png'), trusting(server, { maxBytes: 64 * 1024, timeoutMs: 5000 })));
    assert.equal(error.reason, 'too-large');
    await closed; // the connection was torn down rather than drained
    assert.ok(sent < 16 * 1024 * 1024, `the server stopped sending after ${sent} bytes`);
  });

  test('times out on a server that never answers, within the configured time', async () => {
    const server = await startServer(() => undefined);
    servers.push(server);
    const started = Date.now();
    const error = await failure(fetchImage(server.url('/slow.png'), trusting(server, { timeoutMs: 300 })));
    const elapsed = Date.now() - started;
    assert.equal(error.reason, 'timeout');
    assert.equal(error.message, `The server at ${server.host} did not answer in time.`);
    assert.ok(elapsed >= 250 && elapsed < 1500, `took ${elapsed} ms`);
  });

  test('times out on a server that stalls part-way through the body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 10_000 });
      res.write(Buffer.alloc(1000));
    });
    servers.push(server);
    const started = Date.now();
    const error = await failure(fetchImage(server.url('/half.png'), trusting(server, { timeoutMs: 300 })));
    assert.equal(error.reason, 'timeout');
    assert.ok(Date.now() - started < 1500);
  });

  test('reports an HTTP error status with the status', async () => {
    const error = await failure(fetchImage(images.url('/nope.png'), trusting(images)));
    assert.equal(error.reason, 'http-status');
    assert.equal(error.status, 404);
    assert.equal(error.message, 'That link answered HTTP 404.');
  });

  test('refuses an HTML page and JSON as not an image', async () => {
    const html = await failure(fetchImage(images.url('/page'), trusting(images)));
    const json = await failure(fetchImage(images.url('/data.json'), trusting(images)));
    assert.equal(html.reason, 'not-an-image');
    assert.equal(json.reason, 'not-an-image');
    assert.match(html.message, /text\/html/);
  });

  test('refuses links that are not http or https, or not links at all', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/a.png',
      'data:image/png;base64,iVBORw0KGgo=',
      'javascript:alert(1)',
      'cat.png',
    ]) {
      const error = await failure(fetchImage(url, { maxBytes: 1000, timeoutMs: 1000 }));
      assert.equal(error.reason, 'bad-url', url);
    }
  });

  test('refuses links carrying a user name or password', async () => {
    const error = await failure(fetchImage(`http://user:pw@${images.host}/cat.png`, trusting(images)));
    assert.equal(error.reason, 'bad-url');
  });

  test('reports a closed port as unreachable, keeping the socket error only as the cause', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    const error = await failure(fetchImage(gone.url('/x.png'), trusting(gone)));
    assert.equal(error.reason, 'unreachable');
    assert.equal(error.message, `I could not reach the server at ${gone.host}.`);
    assert.ok(error.cause !== undefined);
  });
});

describe('HostList', () => {
  test('an entry without a port matches any port; with a port, only that port (default ports included)', () => {
    const list = new HostList(['CDN.Example.com', '127.0.0.1:8080', '[::1]:443']);
    assert.equal(list.includes(new URL('https://cdn.example.com./a')), true);
    assert.equal(list.includes(new URL('http://cdn.example.com:81/a')), true);
    assert.equal(list.includes(new URL('http://127.0.0.1:8080/a')), true);
    assert.equal(list.includes(new URL('http://127.0.0.1:8081/a')), false);
    assert.equal(list.includes(new URL('https://[::1]/a')), true);
    assert.equal(list.includes(new URL('http://[::1]/a')), false);
    assert.equal(list.includes(new URL('http://example.com/a')), false);
  });
});

describe('classifyAddress', () => {
  const table: [string, AddressClass][] = [
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.0.2.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['2606:4700:4700::1111', 'public'],
    ['2001:db8::1', 'reserved'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['not an address', 'invalid'],
    ['1.2.3', 'invalid'],
    ['1::2::3', 'invalid'],
    ['256.1.1.1', 'invalid'],
  ];
  for (const [address, expected] of table) {
    test(`${address} is ${expected}`, () => {
      assert.equal(classifyAddress(address), expected);
    });
  }
});
