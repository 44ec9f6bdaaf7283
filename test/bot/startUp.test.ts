import { afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStartUp, type StartUpWork } from '../../src/discord/startUp.js';
import { logger, setLogLevel } from '../../src/logger.js';

/** Start-up work that records what ran, in order; `failing` steps throw (resumeWalks: its first `times` calls). */
function recordedWork(failing: { catchUp?: boolean; forgetDepartedServers?: boolean; resumeWalks?: number } = {}) {
  const ran: string[] = [];
  let resumeCalls = 0;
  const work: StartUpWork = {
    forgetDepartedServers: async () => {
      ran.push('forgetDepartedServers');
      if (failing.forgetDepartedServers === true) throw new Error('store read failed');
    },
    catchUp: async () => {
      ran.push('catchUp');
      if (failing.catchUp === true) throw new Error('store read failed');
    },
    resumeWalks: async () => {
      ran.push('resumeWalks');
      if (++resumeCalls <= (failing.resumeWalks ?? 0)) throw new Error('store read failed');
    },
    startRecheck: () => void ran.push('startRecheck'),
  };
  return { work, ran };
}

/**
 * The work begun at start-up (forgetting departed servers, catch-up, resuming walks, the
 * re-check) goes step by step, and each step starts whether or not the ones before it worked.
 */
describe('start-up work', () => {
  let errors: ReturnType<typeof mock.method>;
  before(() => setLogLevel('silent'));
  beforeEach(() => {
    errors = mock.method(logger, 'error', () => undefined);
  });
  afterEach(() => mock.restoreAll());

  test('a failing catch-up does not keep walks from resuming nor the re-check from starting, and is logged once', async () => {
    const { work, ran } = recordedWork({ catchUp: true });
    await runStartUp(work, { signal: new AbortController().signal });
    assert.deepEqual(ran, ['forgetDepartedServers', 'catchUp', 'resumeWalks', 'startRecheck']);
    assert.equal(errors.mock.callCount(), 1);
    assert.match(String(errors.mock.calls[0]!.arguments[1]), /^catch-up after start failed/);
  });

  test('failing to forget departed servers does not keep the rest from starting', async () => {
    const { work, ran } = recordedWork({ forgetDepartedServers: true });
    await runStartUp(work, { signal: new AbortController().signal });
    assert.deepEqual(ran, ['forgetDepartedServers', 'catchUp', 'resumeWalks', 'startRecheck']);
    assert.equal(errors.mock.callCount(), 1);
  });

  test('walks that could not be resumed are tried again until they are, logged once', async () => {
    const { work, ran } = recordedWork({ resumeWalks: 3 });
    await runStartUp(work, { signal: new AbortController().signal, firstRetryMs: 5 });
    assert.deepEqual(ran, ['forgetDepartedServers', 'catchUp', 'resumeWalks', 'startRecheck', 'resumeWalks', 'resumeWalks', 'resumeWalks']);
    assert.equal(errors.mock.callCount(), 1);
    assert.match(String(errors.mock.calls[0]!.arguments[1]), /^resuming reindex walks failed/);
  });

  test('a shutdown ends the retries', async () => {
    const { work, ran } = recordedWork({ resumeWalks: Infinity });
    const stopping = new AbortController();
    // Shut down while the walks wait for their next try.
    const startRecheck = work.startRecheck;
    work.startRecheck = () => {
      startRecheck();
      setImmediate(() => stopping.abort());
    };
    await runStartUp(work, { signal: stopping.signal, firstRetryMs: 60_000 });
    assert.deepEqual(ran, ['forgetDepartedServers', 'catchUp', 'resumeWalks', 'startRecheck']);
  });
});
