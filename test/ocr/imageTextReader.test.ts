import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BacklogFullError, SchedulerClosedError } from '../../src/ocr/idleScheduler.js';
import { ImageTextReader } from '../../src/ocr/imageTextReader.js';
import { flatMeme } from '../fixtures/memes/memeImages.js';

const LIMITS = { maxBytes: 25 * 1024 * 1024, maxPixels: 40_000_000 };

describe('ImageTextReader', () => {
  test('which collections are read is asked each time, and can be changed (the per-server switch)', () => {
    const reader = new ImageTextReader({ enabled: (collection) => collection === 'g1' });
    assert.deepEqual([reader.isOn('g1'), reader.isOn('g2')], [true, false]);
    reader.setEnabled(() => true);
    assert.equal(reader.isOn('g2'), true);
  });

  test('reading waits for foreground work; past the backlog it is refused; closing drops what waits', async () => {
    const reader = new ImageTextReader({ enabled: () => true, maxBacklog: 1, ocr: { threads: 1 } });
    const meme = await flatMeme([20, 20, 20], 480, 300, {
      lines: ['WHEN THE WIFI IS DOWN', 'AND THE BANJO IS ALL YOU HAVE'],
      font: 'oswald',
      ink: 'white',
    });
    let finishEmbedding!: () => void;
    const embedding = reader.foreground(() => new Promise<void>((resolve) => (finishEmbedding = resolve)));
    const first = reader.read(meme, LIMITS, async (text) => text);
    await assert.rejects(
      reader.read(meme, LIMITS, async (text) => text),
      BacklogFullError,
    );
    assert.deepEqual(reader.backlog, { waiting: 1, limit: 1 }, 'nothing starts while the embedding runs');
    finishEmbedding();
    await embedding;
    assert.match(await first, /BANJO/);
    const embeddingAgain = reader.foreground(() => new Promise<void>((resolve) => (finishEmbedding = resolve)));
    const dropped = reader.read(meme, LIMITS, async (text) => text);
    const closing = reader.close();
    await assert.rejects(dropped, SchedulerClosedError);
    finishEmbedding();
    await embeddingAgain;
    await closing;
    await assert.rejects(
      reader.read(meme, LIMITS, async (text) => text),
      SchedulerClosedError,
    );
  });
});
