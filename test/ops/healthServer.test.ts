import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { BotMetrics } from '../../src/ops/metrics.js';
import { HealthServerListenError, startHealthServer, type HealthChecks, type HealthServer } from '../../src/ops/healthServer.js';

const healthy: HealthChecks = {
  gatewayConnected: () => true,
  storeReachable: async () => true,
  modelLoaded: () => true,
};

const servers: HealthServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(checks: Partial<HealthChecks> = {}, metrics = new BotMetrics(), checkTimeoutMs = 2000) {
  const server = await startHealthServer({
    port: 0,
    host: '127.0.0.1',
    metrics,
    checks: { ...healthy, ...checks },
    checkTimeoutMs,
  });
  servers.push(server);
  return server;
}

/** The samples of a Prometheus text exposition, keyed by name and labels in sorted order. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const [, name, labelText = '', value] = match;
    const labels = [...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}=${v}`);
    samples.set(`${name}{${labels.sort().join(',')}}`, Number(value));
  }
  return samples;
}

function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
  return samples.get(`${name}{${key}}`);
}

async function scrape(server: HealthServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  return parseExposition(await response.text());
}

describe('/metrics', () => {
  test('is served in the Prometheus text format', async () => {
    const metrics = new BotMetrics();
    const server = await serve({}, metrics);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), metrics.registry.contentType);
    assert.match(await response.text(), /^# TYPE imagebot_search_query_duration_seconds histogram$/m);
  });

  test('counts ingested images by outcome', async () => {
    const metrics = new BotMetrics();
    metrics.imageIndexed('indexed');
    metrics.imageIndexed('indexed');
    metrics.imageIndexed('failed');
    const samples = await scrape(await serve({}, metrics));
    assert.equal(sample(samples, 'imagebot_images_ingested_total', { outcome: 'indexed' }), 2);
    assert.equal(sample(samples, 'imagebot_images_ingested_total', { outcome: 'failed' }), 1);
    // Outcomes not seen yet are exported at 0, so rate() works from the first scrape.
    assert.equal(sample(samples, 'imagebot_images_ingested_total', { outcome: 'already-indexed' }), 0);
  });

  test('counts errors by kind', async () => {
    const metrics = new BotMetrics();
    metrics.error('gateway');
    metrics.error('gateway');
    metrics.error('ingest');
    const samples = await scrape(await serve({}, metrics));
    assert.equal(sample(samples, 'imagebot_errors_total', { kind: 'gateway' }), 2);
    assert.equal(sample(samples, 'imagebot_errors_total', { kind: 'ingest' }), 1);
    assert.equal(sample(samples, 'imagebot_errors_total', { kind: 'store' }), 0);
  });

  test('puts query durations into cumulative buckets by kind, from 1 ms to 5 s', async () => {
    const metrics = new BotMetrics();
    metrics.observeQuery('text', 0.0005);
    metrics.observeQuery('text', 0.03);
    metrics.observeQuery('text', 7);
    metrics.observeQuery('image', 0.2);
    const samples = await scrape(await serve({}, metrics));
    const bucket = (kind: string, le: string) => sample(samples, 'imagebot_search_query_duration_seconds_bucket', { kind, le });
    assert.equal(bucket('text', '0.001'), 1);
    assert.equal(bucket('text', '0.025'), 1);
    assert.equal(bucket('text', '0.05'), 2);
    assert.equal(bucket('text', '5'), 2);
    assert.equal(bucket('text', '+Inf'), 3);
    assert.equal(bucket('image', '0.1'), 0);
    assert.equal(bucket('image', '0.25'), 1);
    assert.equal(sample(samples, 'imagebot_search_query_duration_seconds_count', { kind: 'text' }), 3);
    assert.equal(sample(samples, 'imagebot_search_query_duration_seconds_count', { kind: 'image' }), 1);
    const textSum = sample(samples, 'imagebot_search_query_duration_seconds_sum', { kind: 'text' });
    assert.ok(textSum !== undefined && Math.abs(textSum - 7.0305) < 1e-9, `sum ${textSum}`);
  });

  test('ignores a query duration that is not a finite, non-negative number', async () => {
    const metrics = new BotMetrics();
    metrics.observeQuery('text', Number.NaN);
    metrics.observeQuery('text', -1);
    metrics.observeQuery('text', 0.01);
    const samples = await scrape(await serve({}, metrics));
    assert.equal(sample(samples, 'imagebot_search_query_duration_seconds_count', { kind: 'text' }), 1);
    assert.equal(sample(samples, 'imagebot_search_query_duration_seconds_sum', { kind: 'text' }), 0.01);
  });

  test('reports the pushed index size and queue depth', async () => {
    const metrics = new BotMetrics();
    metrics.setImagesIndexed(53);
    metrics.setQueueDepth(4);
    const samples = await scrape(await serve({}, metrics));
    assert.equal(sample(samples, 'imagebot_images_indexed'), 53);
    assert.equal(sample(samples, 'imagebot_ingest_queue_depth'), 4);
  });

  test('reads the index size and queue depth at each scrape when given a reader', async () => {
    const metrics = new BotMetrics();
    let reading = { imagesIndexed: 10, queueDepth: 3 };
    metrics.onScrape(() => reading);
    const server = await serve({}, metrics);
    const first = await scrape(server);
    assert.equal(sample(first, 'imagebot_images_indexed'), 10);
    assert.equal(sample(first, 'imagebot_ingest_queue_depth'), 3);
    reading = { imagesIndexed: 12, queueDepth: 0 };
    const second = await scrape(server);
    assert.equal(sample(second, 'imagebot_images_indexed'), 12);
    assert.equal(sample(second, 'imagebot_ingest_queue_depth'), 0);
  });

  test('still answers when the scrape-time reader throws, keeping the last values and counting the error', async () => {
    const metrics = new BotMetrics();
    let fail = false;
    metrics.onScrape(() => {
      if (fail) throw new Error('index not ready');
      return { imagesIndexed: 7, queueDepth: 1 };
    });
    const server = await serve({}, metrics);
    await scrape(server);
    fail = true;
    const samples = await scrape(server);
    assert.equal(sample(samples, 'imagebot_images_indexed'), 7);
    assert.equal(sample(samples, 'imagebot_ingest_queue_depth'), 1);
    assert.ok((sample(samples, 'imagebot_errors_total', { kind: 'metrics' }) ?? 0) >= 1);
  });

  test('includes Node process metrics under the same prefix', async () => {
    const samples = await scrape(await serve());
    assert.ok((sample(samples, 'imagebot_process_resident_memory_bytes') ?? 0) > 0);
    assert.equal(sample(samples, 'process_resident_memory_bytes'), undefined);
  });

  test('two BotMetrics keep separate registries that do not share counts', async () => {
    const first = new BotMetrics();
    const second = new BotMetrics();
    assert.notEqual(first.registry, second.registry);
    first.imageIndexed('indexed');
    first.error('store');
    second.observeQuery('image', 0.5);
    const firstSamples = parseExposition(await first.expose());
    const secondSamples = parseExposition(await second.expose());
    assert.equal(sample(firstSamples, 'imagebot_images_ingested_total', { outcome: 'indexed' }), 1);
    assert.equal(sample(secondSamples, 'imagebot_images_ingested_total', { outcome: 'indexed' }), 0);
    assert.equal(sample(secondSamples, 'imagebot_errors_total', { kind: 'store' }), 0);
    assert.equal(sample(firstSamples, 'imagebot_search_query_duration_seconds_count', { kind: 'image' }), 0);
    assert.equal(sample(secondSamples, 'imagebot_search_query_duration_seconds_count', { kind: 'image' }), 1);
  });
});

describe('/healthz', () => {
  test('answers 200 ok when the gateway, store and model all pass', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), { status: 'ok', checks: { gateway: true, store: true, model: true } });
  });

  test('answers 503 naming the gateway when it is disconnected', async () => {
    const server = await serve({ gatewayConnected: () => false });
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), {
      status: 'unhealthy',
      checks: { gateway: false, store: true, model: true },
    });
  });

  test('answers 503 naming the store when its check rejects', async () => {
    const server = await serve({ storeReachable: () => Promise.reject(new Error('ECONNREFUSED')) });
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), {
      status: 'unhealthy',
      checks: { gateway: true, store: false, model: true },
    });
  });

  test('answers 503 naming the store, within the timeout, when its check hangs', { timeout: 30_000 }, async () => {
    const server = await serve({ storeReachable: () => new Promise<boolean>(() => {}) }, new BotMetrics(), 150);
    const started = performance.now();
    const response = await fetch(`${server.url}/healthz`);
    const elapsed = performance.now() - started;
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), {
      status: 'unhealthy',
      checks: { gateway: true, store: false, model: true },
    });
    // Well under the hanging check's forever; the upper bound allows a busy machine.
    assert.ok(elapsed >= 140 && elapsed < 10_000, `answered after ${elapsed.toFixed(0)} ms`);
  });

  test('answers 503 naming the model when its check throws', async () => {
    const server = await serve({
      modelLoaded: () => {
        throw new Error('session not created');
      },
    });
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), {
      status: 'unhealthy',
      checks: { gateway: true, store: true, model: false },
    });
  });

  test('answers HEAD with the status and no body', async () => {
    const up = await serve();
    const down = await serve({ modelLoaded: () => false });
    const upResponse = await fetch(`${up.url}/healthz`, { method: 'HEAD' });
    const downResponse = await fetch(`${down.url}/healthz`, { method: 'HEAD' });
    assert.equal(upResponse.status, 200);
    assert.equal(downResponse.status, 503);
    assert.equal(await upResponse.text(), '');
  });
});

describe('health server', () => {
  test('answers 404 for any other path', async () => {
    const server = await serve();
    for (const path of ['/', '/health', '/metrics/extra', '/healthz/']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
  });

  test('answers 405 for a method other than GET or HEAD on a known path', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/healthz`, { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    await response.body?.cancel();
  });

  test('listens on the real port chosen for port 0 and stops accepting connections once closed', async () => {
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics: new BotMetrics(), checks: healthy });
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    // A kept-alive connection must not hold close() up.
    const response = await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } });
    assert.equal(response.status, 200);
    await response.text();
    await server.close();
    await server.close();
    await assert.rejects(fetch(`${server.url}/healthz`));
  });

  test('listens on all interfaces by default and gives a loopback URL to reach it', async () => {
    const server = await startHealthServer({ port: 0, metrics: new BotMetrics(), checks: healthy });
    servers.push(server);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });

  test('fails with a HealthServerListenError naming the port when it is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      await assert.rejects(
        startHealthServer({ port, host: '127.0.0.1', metrics: new BotMetrics(), checks: healthy }),
        (error: unknown) => error instanceof HealthServerListenError && error.port === port && error.message.includes(`:${port}`),
      );
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
