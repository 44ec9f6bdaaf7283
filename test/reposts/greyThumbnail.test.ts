import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { THUMBNAIL_SIZE } from '../../src/reposts/dctHash.js';
import { contentBox, greyThumbnail, type GreyPicture } from '../../src/reposts/greyThumbnail.js';
import { mulberry32 } from '../fixtures/seededRandom.js';

function picture(width: number, height: number, level: (x: number, y: number) => number): GreyPicture {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = level(x, y);
  return { pixels, width, height };
}

/** Seeded noise inside the box (left, top, width, height), `frame` outside it. */
function framed(
  width: number,
  height: number,
  inner: [number, number, number, number],
  frame: (x: number, y: number) => number,
): GreyPicture {
  const random = mulberry32(3);
  const [left, top, w, h] = inner;
  return picture(width, height, (x, y) =>
    x >= left && x < left + w && y >= top && y < top + h ? 40 + Math.floor(random() * 170) : frame(x, y),
  );
}

describe('contentBox', () => {
  test('a white frame is trimmed to the picture inside it', () => {
    assert.deepEqual(contentBox(framed(100, 80, [6, 5, 88, 70], () => 255)), { left: 6, top: 5, width: 88, height: 70 });
  });

  test('a frame whose levels wobble within the tolerance, as JPEG leaves them, is trimmed too', () => {
    const random = mulberry32(8);
    const box = contentBox(framed(100, 80, [10, 10, 80, 60], () => 240 + Math.floor(random() * 10)));
    assert.deepEqual(box, { left: 10, top: 10, width: 80, height: 60 });
  });

  test('a few stray pixels in a frame, as JPEG blocks leave them, do not stop the trimming', () => {
    // One dark speck in every fourth row and column of the frame: 1 % of a row, 1.25 % of a column.
    const specked = (x: number, y: number) => ((x === 50 && y % 4 === 0) || (y === 40 && x % 4 === 0) ? 30 : 255);
    assert.deepEqual(contentBox(framed(100, 80, [5, 5, 90, 70], specked)), { left: 5, top: 5, width: 90, height: 70 });
  });

  test('a picture with no margin keeps every pixel', () => {
    const random = mulberry32(4);
    const noisy = picture(50, 40, () => Math.floor(random() * 256));
    assert.deepEqual(contentBox(noisy), { left: 0, top: 0, width: 50, height: 40 });
  });

  test('a picture in one colour shrinks to a single pixel', () => {
    const box = contentBox(picture(30, 20, () => 77));
    assert.equal(box.width * box.height, 1);
  });
});

describe('greyThumbnail', () => {
  test('is THUMBNAIL_SIZE square, each pixel the mean of the area it covers', () => {
    // One-pixel stripes of 0 and 200 down a 64-pixel picture: every thumbnail pixel covers two stripes.
    const stripes = picture(64, 64, (x, y) => ((x + y) % 2 === 0 ? 0 : 200));
    const thumbnail = greyThumbnail(stripes);
    assert.equal(thumbnail.length, THUMBNAIL_SIZE * THUMBNAIL_SIZE);
    for (const level of thumbnail) assert.ok(Math.abs(level - 100) < 1e-3, `level ${level}`);
  });

  test('a picture smaller than the thumbnail is enlarged, each pixel covering a block', () => {
    const small = picture(16, 16, (x, y) => (x * 16 + y) % 251);
    const thumbnail = greyThumbnail(small);
    for (let y = 0; y < THUMBNAIL_SIZE; y++) {
      for (let x = 0; x < THUMBNAIL_SIZE; x++) {
        assert.ok(Math.abs(thumbnail[y * THUMBNAIL_SIZE + x]! - small.pixels[(y >> 1) * 16 + (x >> 1)]!) < 1e-3);
      }
    }
  });

  test('a framed picture gives the thumbnail of the picture alone', () => {
    const inner = framed(60, 50, [0, 0, 60, 50], () => 0);
    const withFrame = picture(70, 60, (x, y) => (x < 5 || y < 5 || x >= 65 || y >= 55 ? 255 : inner.pixels[(y - 5) * 60 + (x - 5)]!));
    assert.deepEqual(greyThumbnail(withFrame), greyThumbnail(inner));
  });

  test('refuses pixels that do not fill the stated size', () => {
    assert.throws(() => greyThumbnail({ pixels: new Uint8Array(10), width: 4, height: 3 }), RangeError);
  });
});
