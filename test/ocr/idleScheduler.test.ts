import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BacklogFullError, IdleScheduler, SchedulerClosedError } from '../../src/ocr/idleScheduler.js';

/** A task the test finishes by hand, recording when it starts. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { work: async () => (log.push(`start ${name}`), await opened, log.push(`end ${name}`), name), open };
}

describe('IdleScheduler', () => {
  test('background work waits while any foreground work runs, and starts once it is done', async () => {
    const scheduler = new IdleScheduler();
    const log: string[] = [];
    const embedA = gate(log, 'embed A');
    const embedB = gate(log, 'embed B');
    const runningA = scheduler.foreground(embedA.work);
    const ocr = scheduler.background(async () => (log.push('start ocr'), 'ocr'));
    const runningB = scheduler.foreground(embedB.work);
    embedA.open();
    await runningA;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(!log.includes('start ocr'), 'OCR did not start while embed B was still running');
    embedB.open();
    await runningB;
    assert.equal(await ocr, 'ocr');
    assert.deepEqual(log, ['start embed A', 'start embed B', 'end embed A', 'end embed B', 'start ocr']);
  });

  test('a busy background queue never delays foreground work: it starts at once and in between background tasks', async () => {
    const scheduler = new IdleScheduler();
    const log: string[] = [];
    const first = gate(log, 'ocr 1');
    const queued = [scheduler.background(first.work), ...[2, 3, 4].map((n) => scheduler.background(async () => void log.push(`ocr ${n}`)))];
    await new Promise((resolve) => setImmediate(resolve));
    const embedding = scheduler.foreground(async () => void log.push('embed'));
    await embedding;
    assert.deepEqual(log, ['start ocr 1', 'embed'], 'the embedding ran while OCR 1 was in flight, before OCR 2-4');
    first.open();
    await Promise.all(queued);
    assert.deepEqual(log, ['start ocr 1', 'embed', 'end ocr 1', 'ocr 2', 'ocr 3', 'ocr 4']);
  });

  test('background tasks run one at a time, in the order queued', async () => {
    const scheduler = new IdleScheduler();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        scheduler.background(async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(n);
          running--;
        }),
      ),
    );
    assert.equal(most, 1);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
  });

  test('past the backlog bound, background work is refused, not queued', async () => {
    const scheduler = new IdleScheduler({ maxBacklog: 2 });
    const log: string[] = [];
    const busy = gate(log, 'embed');
    const running = scheduler.foreground(busy.work);
    const accepted = [scheduler.background(async () => 1), scheduler.background(async () => 2)];
    await assert.rejects(
      scheduler.background(async () => 3),
      BacklogFullError,
    );
    assert.equal(scheduler.backlog, 2);
    busy.open();
    await running;
    assert.deepEqual(await Promise.all(accepted), [1, 2]);
  });

  test('close drops queued work with SchedulerClosedError and refuses more', async () => {
    const scheduler = new IdleScheduler();
    const log: string[] = [];
    const busy = gate(log, 'embed');
    const running = scheduler.foreground(busy.work);
    const queued = scheduler.background(async () => 'never');
    scheduler.close();
    await assert.rejects(queued, SchedulerClosedError);
    await assert.rejects(
      scheduler.background(async () => 'later'),
      SchedulerClosedError,
    );
    busy.open();
    await running;
    await scheduler.idle();
  });
});
