import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Keyv } from 'keyv';
import { openKeyv, StoreUnavailableError } from '../../src/store/keyvFactory.js';
import {
  namedConnectionUrl,
  POSTGRES_URL,
  postgresAvailable,
  skipUnlessPostgres,
  terminateConnections,
} from '../fixtures/postgresDatabase.js';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcpProxy.js';

/**
 * What a store opened on a server does when that server goes away while the program runs:
 * the process survives, and the next operation reconnects.
 */

const postgresSkip = skipUnlessPostgres(await postgresAvailable());
/** A Redis database of this file's own (see redisDatabase.ts). */
const REDIS_URL = 'redis://127.0.0.1:6379/9';
const redisSkip = skipUnlessRedis(await emptyRedisDatabase(REDIS_URL));
/** How long one operation may take in these tests (the default is longer). */
const OPERATION_TIMEOUT_MS = 1500;
/** Past this an operation is taken to hang: it should have failed at OPERATION_TIMEOUT_MS. */
const HANG_MS = 8000;
/** Connections of this file only carry this name, so ending them touches nobody else's. */
const APPLICATION = `store-outages-${process.pid}`;

/** Errors that nothing handled: each would have ended a program running outside the test runner. */
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown): void => void uncaught.push(error);
before(() => process.on('uncaughtExceptionMonitor', recordUncaught));
after(() => process.off('uncaughtExceptionMonitor', recordUncaught));

describe('a PostgreSQL store whose connections the server ends', { skip: postgresSkip }, () => {
  let keyv: Keyv;
  const namespace = `outage-${process.pid}-${Date.now().toString(36)}`;

  before(async () => {
    keyv = await openKeyv(namedConnectionUrl(APPLICATION), { namespace });
  });
  after(async () => {
    await keyv.clear();
    await keyv.disconnect();
  });

  test('the process survives its idle connections being ended, and the next set and get work', async () => {
    await keyv.set('before', 'written before');
    assert.ok((await terminateConnections(APPLICATION)) > 0, 'the store held a connection to end');
    // The pool hears of it as an error on an idle connection: let that arrive before going on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await keyv.set('after', 'written after');
    assert.equal(await keyv.get('after'), 'written after');
    assert.equal(await keyv.get('before'), 'written before');
    assert.deepEqual(uncaught, [], 'no error went unhandled');
  });
});

const servers = [
  { name: 'Redis', url: REDIS_URL, port: 6379, skip: redisSkip },
  // A password, to see it masked: the test database trusts every local connection whatever it is.
  { name: 'PostgreSQL', url: POSTGRES_URL.replace('postgres@', 'postgres:sekret@'), port: 5432, skip: postgresSkip },
] as const;

for (const server of servers) {
  describe(`a ${server.name} store whose server goes away while it runs`, { skip: server.skip }, () => {
    let proxy: TcpProxy;
    let keyv: Keyv;
    const namespace = `outage-${process.pid}-${Date.now().toString(36)}`;

    before(async () => {
      proxy = await startTcpProxy(server.port);
      keyv = await openKeyv(proxy.urlFor(server.url), { namespace, operationTimeoutMs: OPERATION_TIMEOUT_MS });
      await keyv.set('k', 'stored');
    });
    after(async () => {
      await proxy.restore();
      await eventually(() => keyv.clear());
      await keyv.disconnect();
      await proxy.close();
    });

    test('with nothing listening any more, an operation fails at once with StoreUnavailableError naming the store', async () => {
      await proxy.cut();
      const error = await failureWithin(keyv.get('k'), HANG_MS);
      assert.ok(error instanceof StoreUnavailableError, `${String(error)}`);
      assert.ok(error.message.includes(`127.0.0.1:${proxy.port}`), error.message);
      assert.match(error.message, /check that the server is running/);
      assert.doesNotMatch(error.message, /sekret/);
    });

    test('once it listens again, operations work again without reopening the store', async () => {
      await proxy.restore();
      assert.equal(await eventually(() => keyv.get('k')), 'stored');
    });

    test('a server that keeps the connection but stops answering fails the operation within its time limit', async () => {
      proxy.silence();
      const started = Date.now();
      const error = await failureWithin(keyv.set('k2', 'never answered'), HANG_MS);
      assert.ok(error instanceof StoreUnavailableError, `${String(error)}`);
      assert.match(error.message, /did not answer within 1500 ms/);
      assert.ok(Date.now() - started >= OPERATION_TIMEOUT_MS - 50, 'not before the limit');
    });

    test('after an operation went unanswered, each answer still goes to its own operation', async () => {
      await proxy.restore();
      // The unanswered request never reached the server: an answer to it must not be awaited, nor
      // the next operation's answer be taken for it (a connection that lost its place is replaced).
      await eventually(() => keyv.set('k3', 'third'));
      assert.equal(await keyv.get('k'), 'stored');
      assert.equal(await keyv.get('k3'), 'third');
      assert.equal(await keyv.get('k2'), undefined);
    });
  });

  test(
    `opening a ${server.name} server that accepts connections but never answers fails within the time limit`,
    { skip: server.skip },
    async () => {
      const silent = await startTcpProxy(server.port, 'silent');
      try {
        const error = await failureWithin(openKeyv(silent.urlFor(server.url), { timeoutMs: 1000 }), HANG_MS);
        assert.ok(error instanceof StoreUnavailableError, `${String(error)}`);
        assert.ok(error.message.includes(`127.0.0.1:${silent.port}`), error.message);
      } finally {
        await silent.close();
      }
    },
  );
}

/** The error `promise` fails with; fails the test if it succeeds, or is still pending after `ms` (a hang). */
async function failureWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), ms)));
  try {
    const outcome = await Promise.race([
      promise.then(
        () => 'succeeded' as const,
        (error: unknown) => ({ error }),
      ),
      hang,
    ]);
    if (outcome === 'hang') assert.fail(`still waiting after ${ms} ms`);
    if (outcome === 'succeeded') assert.fail('it succeeded');
    return outcome.error;
  } finally {
    clearTimeout(timer);
  }
}

/** What `operation` gives once it succeeds, tried again while the store reconnects (up to 15 s). */
async function eventually<T>(operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
