import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Keyv } from 'keyv';
import { openKeyv } from '../../src/store/keyvFactory.js';
import { namedConnectionUrl, postgresAvailable, skipUnlessPostgres, terminateConnections } from '../fixtures/postgresDatabase.js';

/**
 * What a store opened on a server does when that server goes away while the program runs:
 * the process survives, and the next operation reconnects.
 */

const postgresSkip = skipUnlessPostgres(await postgresAvailable());
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
