import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MicroBatcher } from '../../src/embed/microBatcher.js';

function recordingDoubler(delayMs = 0) {
  const batches: number[][] = [];
  const batcher = new MicroBatcher<number, number>(
    async (items) => {
      batches.push(items);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return items.map((item) => item * 2);
    },
    { maxBatch: 4, maxWaitMs: 20 },
  );
  return { batches, batcher };
}

describe('MicroBatcher', () => {
  test('concurrent submissions share one batch and each gets its own result', async () => {
    const { batches, batcher } = recordingDoubler();
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  test('a batch never exceeds maxBatch', async () => {
    const { batches, batcher } = recordingDoubler(5);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => batcher.submit(n)));
    assert.deepEqual(results, [2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.ok(batches.every((batch) => batch.length <= 4));
    assert.deepEqual(batches.flat(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('items arriving while a batch runs form the next batch', async () => {
    const { batches, batcher } = recordingDoubler(30);
    const first = batcher.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 25)); // first batch is now running
    const later = [batcher.submit(2), batcher.submit(3)];
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  test('a failing batch rejects its items and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('model failed');
        return items;
      },
      { maxBatch: 8, maxWaitMs: 1 },
    );
    await assert.rejects(batcher.submit(1), /model failed/);
    assert.equal(await batcher.submit(2), 2);
  });

  test('close rejects queued work', async () => {
    const { batcher } = recordingDoubler();
    const queued = batcher.submit(1);
    batcher.close();
    await assert.rejects(queued, /shut down/);
    await assert.rejects(batcher.submit(2), /shut down/);
  });
});
