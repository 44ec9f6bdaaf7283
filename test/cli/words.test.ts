import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { solidColourImage } from '../fixtures/images.js';
import { memeSet, writeMemeSet, type LabelledMeme } from '../fixtures/memes/memeSet.js';
import { fixtureModelDir, TINY_COLOURS } from '../fixtures/models/fixtureModels.js';
import { cli } from './cliProcess.js';

/** The first result line of `find`: rank, score, path. */
function firstHit(stdout: string): { path: string; words: string | undefined } {
  const lines = stdout.split('\n');
  const at = lines.findIndex((line) => /^\s+1\s+\d+\.\d{4}\s+/.test(line));
  assert.ok(at >= 0, stdout);
  const words = /^\s+words: (.*)$/.exec(lines[at + 1] ?? '')?.[1];
  return { path: lines[at]!.replace(/^\s+1\s+\d+\.\d{4}\s+/, ''), words };
}

describe('the CLI finds images by their words (tiny model, real OCR)', () => {
  let work: string;
  let memesDir: string;
  let memes: LabelledMeme[];
  let model: string;
  let store: string;
  const common = () => ['--model', model, '--store', store];

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-words-test-'));
    memesDir = path.join(work, 'memes');
    memes = await memeSet({ count: 6 });
    await writeMemeSet(memesDir, memes);
    // Colour images, so that a word's image must win against others by its words.
    for (const colour of TINY_COLOURS.slice(0, 4)) {
      await writeFile(path.join(memesDir, `${colour.name}.png`), await solidColourImage(colour.rgb, { width: 96, height: 64 }));
    }
    store = `sqlite://${path.join(work, 'index.sqlite')}`;
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('index --ocr reads the words in every image', async () => {
    const run = await cli(['index', memesDir, '--ocr', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /indexed 10 new/);
    assert.match(run.stdout, /read the text in 10 images; 0 could not be read/);
  });

  test('find WORD --top 1 puts the image holding the word first, and says which words matched, as the image writes them', async () => {
    for (const meme of [memes[0]!, memes[2]!, memes[4]!]) {
      // a photo, a flat meme, a chat screenshot
      const run = await cli(['find', meme.keyWord.toUpperCase(), '--top', '1', ...common()]);
      assert.equal(run.code, 0, run.stderr);
      const written = new RegExp(meme.keyWord, 'i').exec(meme.text)?.[0];
      assert.deepEqual(firstHit(run.stdout), { path: path.join(memesDir, meme.name), words: written });
    }
  });

  test('--match words finds only by words; --match meaning shows no words', async () => {
    const words = await cli(['find', 'zyzzyva', '--match', 'words', ...common()]);
    assert.equal(words.code, 0, words.stderr);
    assert.equal(words.stdout.trim(), 'no matching images');
    const meaning = await cli(['find', memes[1]!.keyWord, '--match', 'meaning', '--top', '3', ...common()]);
    assert.equal(meaning.code, 0, meaning.stderr);
    assert.doesNotMatch(meaning.stdout, /words:/);
    assert.equal(meaning.stdout.trim().split('\n').length, 4);
  });

  test('a second index --ocr reads nothing it has read', async () => {
    const run = await cli(['index', memesDir, '--ocr', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /10 unchanged/);
    assert.match(run.stdout, /read the text in 0 images/);
  });

  test('eval prints Recall@1/5/10 and MRR for each mode as a table, then the RESULT line for both', async () => {
    const run = await cli(['eval', '--captions', path.join(memesDir, 'captions.tsv'), ...common()]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[0], '6 queries');
    assert.equal(lines[2], '| match | Recall@1 | Recall@5 | Recall@10 | MRR@10 |');
    assert.deepEqual(
      lines.slice(4, 7).map((line) => line.split(' | ')[0]),
      ['| meaning', '| words', '| both'],
    );
    assert.match(lines[5]!, /^\| words \| 1\.000 \| 1\.000 \| 1\.000 \| 1\.000 \|$/);
    assert.equal(lines.at(-1), 'RESULT eval.recall_at_1 1.000');
  });

  test('eval reports a captioned file that is not in the index, and counts it as a miss', async () => {
    const captions = path.join(work, 'more-captions.tsv');
    await writeFile(captions, `memes/${memes[0]!.name}\t${memes[0]!.keyWord}\nmemes/never-indexed.png\tpineapple\n`);
    const run = await cli(['eval', '--captions', captions, ...common()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 captioned file\(s\) are not in the index \(counted as misses\): .*never-indexed\.png/);
    assert.match(run.stdout.trim(), /RESULT eval\.recall_at_1 0\.500$/);
  });

  test('eval: a malformed captions file is a usage error (1); a missing one a runtime error (2)', async () => {
    const bad = path.join(work, 'bad.tsv');
    await writeFile(bad, 'no tab on this line\n');
    const malformed = await cli(['eval', '--captions', bad, ...common()]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /bad\.tsv line 1: expected "path<TAB>query"/);
    const missing = await cli(['eval', '--captions', path.join(work, 'nope.tsv'), ...common()]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.tsv/);
  });

  test('wrong or misplaced options are usage errors (exit 1)', async () => {
    for (const args of [['find', 'x', '--match', 'colour'], ['find', 'x', '--ocr'], ['eval'], ['index', memesDir, '--captions', 'x.tsv']]) {
      const run = await cli([...args, ...common()]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /Usage: image-search/);
    }
  });
});

describe('the CLI without OCR, and killed while reading', () => {
  let work: string;
  let model: string;

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-words-kill-test-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('without OCR, file names count as words, shown as the file names write them', async () => {
    const dir = path.join(work, 'named');
    await mkdir(dir);
    await writeFile(path.join(dir, 'Capybara_Party.png'), await solidColourImage([30, 60, 220], { width: 64, height: 64 }));
    for (const colour of TINY_COLOURS.slice(0, 5))
      await writeFile(path.join(dir, `${colour.name}.png`), await solidColourImage(colour.rgb));
    const store = `sqlite://${path.join(work, 'named.sqlite')}`;
    const index = await cli(['index', dir, '--model', model, '--store', store]);
    assert.equal(index.code, 0, index.stderr);
    assert.doesNotMatch(index.stdout, /read the text/);
    const find = await cli(['find', 'capybara', '--top', '1', '--model', model, '--store', store]);
    assert.deepEqual(firstHit(find.stdout), { path: path.join(dir, 'Capybara_Party.png'), words: 'Capybara' });
  });

  test('OCR=on reads the words as --ocr does', async () => {
    const dir = path.join(work, 'one');
    const [meme] = await memeSet({ count: 1, seed: 5 });
    await writeMemeSet(dir, [meme!]);
    const store = `sqlite://${path.join(work, 'one.sqlite')}`;
    const index = await cli(['index', dir, '--model', model, '--store', store], { env: { OCR: 'on' } });
    assert.match(index.stdout, /read the text in 1 images/, index.stderr);
  });

  test('killed with SIGKILL while reading, index --ocr again reads only what was not read, and every word is found', async () => {
    const dir = path.join(work, 'killed');
    const memes = await memeSet({ count: 8, seed: 21 });
    await writeMemeSet(dir, memes);
    const store = `sqlite://${path.join(work, 'killed.sqlite')}`;
    const killed = await cli(['index', dir, '--ocr', '--verbose', '--model', model, '--store', store], {
      killAfterLines: /image text read/,
      killCount: 2,
    });
    assert.equal(killed.code, null, 'the first run was killed');
    const resumed = await cli(['index', dir, '--ocr', '--model', model, '--store', store]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const [, read] = /read the text in (\d+) images/.exec(resumed.stdout) ?? [];
    assert.ok(Number(read) <= memes.length - 2, `${read} read again after 2 were stored`);
    const evaluated = await cli(['eval', '--captions', path.join(dir, 'captions.tsv'), '--model', model, '--store', store]);
    assert.match(evaluated.stdout, /\| words \| 1\.000 \|/, evaluated.stdout);
    assert.equal((await readFile(path.join(dir, 'captions.tsv'), 'utf8')).trim().split('\n').length, memes.length);
  });
});
