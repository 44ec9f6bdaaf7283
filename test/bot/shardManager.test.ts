import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import {
  EXIT_RESTART_WILL_NOT_HELP,
  runShardManager,
  ShardCannotStartError,
  ShardCrashLoopError,
} from '../../src/discord/sharding/shardManager.js';
import { nextRestart, restartHistory, type RestartPolicy } from '../../src/discord/sharding/shardRestartPolicy.js';
import { logger } from '../../src/logger.js';
import { isRunning } from './botProcess.js';

/** Polls `read` until `done` holds (generous limit: the machine may be busy). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 60_000, stableAfterMs: 300_000, giveUpAfter: 6 };

describe('restart policy of a shard process', () => {
  test('the pause doubles with each quick crash in a row, up to the cap', () => {
    const pauses = [1, 2, 3, 4, 5].map((crashes) => nextRestart(crashes, { ...POLICY, maxDelayMs: 10_000 }));
    assert.deepEqual(
      pauses,
      [1000, 2000, 4000, 8000, 10_000].map((delayMs) => ({ giveUp: false, delayMs })),
    );
  });

  test('the policy gives up at the limit of quick crashes in a row', () => {
    assert.deepEqual(nextRestart(6, POLICY), { giveUp: true, crashesInARow: 6 });
  });

  test('a crash after a long healthy run starts the count over', () => {
    const history = restartHistory(POLICY);
    history.started(0);
    assert.equal(history.crashed(10), 1);
    history.started(1000);
    assert.equal(history.crashed(2000), 2);
    history.started(3000);
    assert.equal(history.crashed(3000 + POLICY.stableAfterMs), 1);
  });
});

interface ShardStart {
  shard: string;
  count: string;
  pid: number;
  at: number;
}

/**
 * The manager with real shard processes: a small script stands in for the bot, writing one line
 * per start (its SHARDS and SHARD_COUNT and the time) and then behaving as the test needs.
 */
describe('the shard manager with real shard processes', { timeout: 300_000 }, () => {
  let dir: string;
  let previousLevel: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shard-manager-'));
    previousLevel = logger.level;
    logger.level = 'silent';
  });
  after(async () => {
    logger.level = previousLevel;
    await rm(dir, { recursive: true, force: true });
  });

  let scripts = 0;
  async function shardScript(behaviour: string): Promise<{ script: string; starts: () => Promise<ShardStart[]> }> {
    const log = path.join(dir, `starts-${scripts}.log`);
    const script = path.join(dir, `shard-${scripts++}.mjs`);
    await writeFile(
      script,
      `import { appendFileSync, readFileSync } from 'node:fs';
       const log = ${JSON.stringify(log)};
       const started = (id) => readFileSync(log, 'utf8').includes('"shard":"' + id + '"');
       appendFileSync(log, JSON.stringify({ shard: process.env.SHARDS, count: process.env.SHARD_COUNT, pid: process.pid, at: Date.now() }) + '\\n');
       const shard = Number(process.env.SHARDS);
       ${behaviour}`,
    );
    const starts = async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ShardStart);
    return { script, starts };
  }

  const config = loadConfig({});
  const stayAlive = 'setInterval(() => {}, 1000);';

  test('SHARD_IDS starts only the listed shards, each told the total count; stop() ends them all', async () => {
    const { script, starts } = await shardScript(stayAlive);
    const manager = await runShardManager({ config, token: 'x.y.z', script, count: 4, ids: [1, 3], spawnDelayMs: 0 });
    const started = await eventually(starts, (list) => list.length === 2, 'both shards started');
    assert.deepEqual(started.map(({ shard, count }) => [shard, count]).sort(), [
      ['1', '4'],
      ['3', '4'],
    ]);
    await manager.stop();
    await manager.finished;
    assert.ok(
      started.every((start) => !isRunning(start.pid)),
      'every shard process has exited',
    );
  });

  test('a shard that keeps crashing is restarted after growing pauses, then the manager gives up saying so', async () => {
    const { script, starts } = await shardScript('process.exit(1);');
    const policy: RestartPolicy = { firstDelayMs: 200, maxDelayMs: 800, stableAfterMs: 120_000, giveUpAfter: 4 };
    const manager = await runShardManager({ config, token: 'x.y.z', script, count: 1, ids: undefined, restartPolicy: policy });
    await assert.rejects(manager.finished, (error: Error) => {
      assert.ok(error instanceof ShardCrashLoopError);
      assert.match(error.message, /^Shard 0 crashed 4 times in a row, each within 120 s of starting, so the manager gave up/);
      return true;
    });
    const times = (await starts()).map((start) => start.at);
    assert.equal(times.length, 4, 'started once and restarted three times');
    const pauses = times.slice(1).map((at, i) => at - times[i]!);
    // Lower bounds only: a busy machine makes every pause longer, never shorter.
    pauses.forEach((pause, i) => assert.ok(pause >= 200 * 2 ** i, `pause ${i + 1} was ${pause} ms`));
  });

  test(`a shard that exits ${EXIT_RESTART_WILL_NOT_HELP} is not restarted, and the other shards are stopped`, async () => {
    // Shard 1 gives up only once shard 0 is running, so that there is a healthy shard to stop.
    const { script, starts } = await shardScript(
      `if (shard === 1) setInterval(() => started(0) && process.exit(${EXIT_RESTART_WILL_NOT_HELP}), 20); ${stayAlive}`,
    );
    const manager = await runShardManager({
      config,
      token: 'x.y.z',
      script,
      count: 2,
      ids: undefined,
      spawnDelayMs: 0,
      restartPolicy: { ...POLICY, firstDelayMs: 10 },
    });
    await assert.rejects(manager.finished, ShardCannotStartError);
    const started = await starts();
    assert.deepEqual(started.map((start) => start.shard).sort(), ['0', '1'], 'each shard started once, none again');
    assert.ok(!isRunning(started.find((start) => start.shard === '0')!.pid), 'the healthy shard was stopped too');
  });
});
