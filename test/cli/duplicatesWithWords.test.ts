import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { photoMeme } from '../fixtures/memes/memeImages.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { repostCopy } from '../fixtures/repostCopies.js';
import { cli } from './cliProcess.js';

type Groups = string[][];

/** Groups as sets of file names: the order of groups of one size and of members is not what is tested here. */
const named = (stdout: string): Groups =>
  (JSON.parse(stdout) as Groups).map((group) => group.map((file) => path.basename(file)).sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));

/**
 * `image-search duplicates` on meme templates and mirrored copies: one weather photo under two
 * captions, the first saved again at low quality, and another photo (one without words: a mirrored
 * copy of words reads as noise) with a copy flipped left to right. Indexed with --ocr, the words
 * decide between captions; without, the pixels cannot.
 */
describe('image-search duplicates with the words in images, and mirrored copies', () => {
  let work: string;
  let folder: string;
  let model: string;
  /** `duplicates --json` over the folder indexed with and without --ocr. */
  const found = { withWords: '', withoutWords: '' };

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-duplicates-words-'));
    folder = path.join(work, 'memes');
    await mkdir(folder);
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    const [template, photo] = await Promise.all([names[20]!, names[0]!].map((name) => readFile(path.join(WEATHER_DIR, name))));
    const meme = await photoMeme(template!, 600, { lines: ['ONE DOES NOT SIMPLY', 'WALK INTO THE CAT'], font: 'anton', ink: 'white' });
    const files: Record<string, Buffer> = {
      'meme.jpg': meme,
      'meme-again.jpg': await repostCopy(meme, 'low-quality-jpeg'),
      'other-caption.jpg': await photoMeme(template!, 600, {
        lines: ['WHEN THE WIFI IS DOWN', 'AND THE CAT IS ALL YOU HAVE'],
        font: 'anton',
        ink: 'white',
      }),
      'photo.jpg': photo!,
      'photo-flipped.jpg': await repostCopy(photo!, 'mirrored'),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(folder, name), bytes);
    for (const [key, flags] of [
      ['withWords', ['--ocr']],
      ['withoutWords', []],
    ] as const) {
      const store = `sqlite://${path.join(work, `${key}.sqlite`)}`;
      const indexed = await cli(['index', folder, ...flags, '--model', model, '--store', store]);
      assert.equal(indexed.code, 0, indexed.stderr);
      const run = await cli(['duplicates', '--json', '--model', model, '--store', store]);
      assert.equal(run.code, 0, run.stderr);
      found[key] = run.stdout;
    }
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('indexed with --ocr, the same meme saved again is grouped and another caption on its template is not', () => {
    assert.deepEqual(named(found.withWords), [
      ['meme-again.jpg', 'meme.jpg'],
      ['photo-flipped.jpg', 'photo.jpg'],
    ]);
  });

  test('indexed without --ocr, another caption on the same template is grouped with it (the known limit)', () => {
    assert.deepEqual(named(found.withoutWords), [
      ['meme-again.jpg', 'meme.jpg', 'other-caption.jpg'],
      ['photo-flipped.jpg', 'photo.jpg'],
    ]);
  });
});
