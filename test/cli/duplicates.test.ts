import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { contentHash } from '../../src/library/imageLibrary.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { solidColourImage } from '../fixtures/images.js';
import { flatMeme } from '../fixtures/memes/memeImages.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { labelledRepostSet, type LabelledImage } from '../fixtures/repostCopies.js';
import { cli } from './cliProcess.js';

/**
 * `image-search duplicates` over a set made at test time: the 53 weather photos, three copies each
 * of the first PHOTOS_WITH_COPIES made six ways (repostCopies.ts) and two more of one of them (WebP,
 * darkened: its group is the largest), plain colours in three formats and two captions on the same
 * plain ground. The groups it should print are the photos with copies.
 */
const PHOTOS_WITH_COPIES = 12;

type Groups = string[][];

/** Groups compared as sets of sets: the order of members within a group is not specified. */
const normalised = (groups: Groups): Groups => groups.map((group) => [...group].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));

/** Text output → groups: one path a line, a blank line between groups. */
function textGroups(stdout: string): Groups {
  return stdout.trim() === ''
    ? []
    : stdout
        .trimEnd()
        .split('\n\n')
        .map((group) => group.split('\n'));
}

describe('image-search duplicates, end to end with the tiny model', () => {
  let work: string;
  let photos: string;
  let model: string;
  let store: string;
  let truth: Groups;
  let byDefault: { stdout: string; stderr: string; groups: Groups };
  const common = () => ['--model', model, '--store', store];

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-duplicates-test-'));
    photos = path.join(work, 'photos');
    await mkdir(photos);
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    const originals = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(WEATHER_DIR, name)) })));
    const set: Array<Pick<LabelledImage, 'name' | 'bytes' | 'group'>> = await labelledRepostSet(originals, PHOTOS_WITH_COPIES);
    const most = originals[1]!;
    set.push(
      { name: `${most.name}.webp`, bytes: await sharp(most.bytes).autoOrient().webp({ quality: 60 }).toBuffer(), group: 1 },
      {
        name: `${most.name}.darker.jpg`,
        bytes: await sharp(most.bytes).autoOrient().modulate({ brightness: 0.8 }).jpeg().toBuffer(),
        group: 1,
      },
    );
    for (const image of set) await writeFile(path.join(photos, image.name), image.bytes);
    truth = [...new Set(set.map((image) => image.group))]
      .map((group) => set.filter((image) => image.group === group).map((image) => path.join(photos, image.name)))
      .filter((group) => group.length > 1);

    await writeFile(path.join(photos, 'white.png'), await solidColourImage([255, 255, 255], { width: 300, height: 200 }));
    await writeFile(path.join(photos, 'white.jpg'), await solidColourImage([255, 255, 255], { width: 640, height: 480, format: 'jpeg' }));
    await writeFile(path.join(photos, 'grey.webp'), await solidColourImage([128, 128, 128], { format: 'webp' }));
    for (const [file, lines] of [
      ['caption-1.jpg', ['WHEN THE BUILD', 'PASSES FIRST TIME']],
      ['caption-2.jpg', ['NOBODY AT ALL', 'ME AT 3 AM']],
    ] as const) {
      await writeFile(path.join(photos, file), await flatMeme([40, 90, 200], 600, 400, { lines, font: 'anton', ink: 'white' }));
    }
    // The same file saved twice: duplicates whatever the picture.
    await copyFile(path.join(photos, 'caption-1.jpg'), path.join(photos, 'same-bytes.jpg'));
    truth.push([path.join(photos, 'caption-1.jpg'), path.join(photos, 'same-bytes.jpg')]);
    store = `sqlite://${path.join(work, 'index.sqlite')}`;
    const indexed = await cli(['index', photos, ...common()]);
    assert.equal(indexed.code, 0, indexed.stderr);
    const run = await cli(['duplicates', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    byDefault = { ...run, groups: textGroups(run.stdout) };
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('prints every group of copies and nothing else: one path a line, a blank line between groups', () => {
    assert.deepEqual(normalised(byDefault.groups), normalised(truth));
  });

  test('prints the largest group first', () => {
    const sizes = byDefault.groups.map((group) => group.length);
    assert.equal(sizes[0], 6);
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
  });

  test('plain colours and captions on plain grounds are never grouped, not even with the same picture in another format', () => {
    const grouped = byDefault.groups.flat().map((file) => path.basename(file));
    assert.deepEqual(
      grouped.filter((file) => /^(white|grey|caption-2)/.test(file)),
      [],
    );
  });

  test('the same bytes are always grouped, even a caption on a plain ground', () => {
    const group = byDefault.groups.find((candidate) => candidate.some((file) => path.basename(file) === 'same-bytes.jpg'));
    assert.deepEqual(
      group?.map((file) => path.basename(file)),
      ['caption-1.jpg', 'same-bytes.jpg'],
    );
  });

  test('says on stderr how many groups it found among how many images', () => {
    assert.match(
      byDefault.stderr,
      new RegExp(`${truth.length} group\\(s\\) of near-copies .* among ${53 + 3 * PHOTOS_WITH_COPIES + 2 + 6} indexed images`),
    );
  });

  test('--json prints one JSON array of groups of absolute paths, the same groups, and nothing else on stdout', async () => {
    const run = await cli(['duplicates', '--json', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    const groups = JSON.parse(run.stdout) as Groups;
    assert.deepEqual(groups, byDefault.groups);
    assert.ok(groups.flat().every((file) => path.isAbsolute(file)));
  });

  test('a folder argument keeps to the files under it', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    await mkdir(elsewhere);
    const [first] = truth[0]!;
    await writeFile(
      path.join(elsewhere, 'again.webp'),
      await sharp(await readFile(first!))
        .autoOrient()
        .webp({ quality: 60 })
        .toBuffer(),
    );
    const separate = `sqlite://${path.join(work, 'folders.sqlite')}`;
    for (const folder of [photos, elsewhere]) assert.equal((await cli(['index', folder, '--model', model, '--store', separate])).code, 0);
    const everywhere = JSON.parse((await cli(['duplicates', '--json', '--model', model, '--store', separate])).stdout) as Groups;
    assert.ok(
      everywhere.some((group) => group.includes(path.join(elsewhere, 'again.webp'))),
      'the WebP copy joins its photo',
    );
    const underPhotos = await cli(['duplicates', photos, '--json', '--model', model, '--store', separate]);
    assert.deepEqual(normalised(JSON.parse(underPhotos.stdout) as Groups), normalised(truth));
  });

  test('threshold flags override the defaults: 0 bits groups only copies with identical hashes', async () => {
    const run = await cli(['duplicates', '--json', '--max-distance', '0', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    const strict = JSON.parse(run.stdout) as Groups;
    assert.ok(strict.flat().length < truth.flat().length, `${strict.flat().length} files grouped at 0 bits`);
    for (const group of strict)
      assert.ok(
        truth.some((copies) => group.every((file) => copies.includes(file))),
        `${group.join(',')} is not one photo's copies`,
      );
  });

  test('REPOST_MAX_DISTANCE sets the default the flag overrides', async () => {
    const configured = await cli(['duplicates', '--json', ...common()], { env: { REPOST_MAX_DISTANCE: '0' } });
    const flagged = await cli(['duplicates', '--json', '--max-distance', '0', ...common()]);
    assert.equal(configured.stdout, flagged.stdout);
    const overridden = await cli(['duplicates', '--json', '--max-distance', '14', ...common()], { env: { REPOST_MAX_DISTANCE: '0' } });
    assert.deepEqual(JSON.parse(overridden.stdout), byDefault.groups);
  });

  test('a bad threshold or a second argument is a usage error (exit 1) that names it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--max-distance', '65'], /--max-distance must be a whole number of bits from 0 to 64, not "65"/],
      [['--max-distance', '2.5'], /--max-distance must be a whole number of bits from 0 to 64, not "2\.5"/],
      [['--hash-alone-distance=-1'], /--hash-alone-distance must be a whole number of bits from 0 to 64, not "-1"/],
      [['--min-similarity', '1.5'], /--min-similarity must be a cosine similarity from -1 to 1 \(such as 0\.8\), not "1\.5"/],
      [['--min-similarity', ''], /--min-similarity must be a cosine similarity from -1 to 1 \(such as 0\.8\), not ""/],
      [[photos, work], /"duplicates" takes at most one argument: a folder/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(['duplicates', ...args, ...common()]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    }
  });
});

describe('image-search duplicates on an index made before perceptual hashes', () => {
  let work: string;
  let folder: string;
  let model: string;
  let store: string;

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-duplicates-old-'));
    folder = path.join(work, 'photos');
    await mkdir(folder);
    const names = (await readdir(WEATHER_DIR))
      .filter((file) => /\.jpe?g$/i.test(file))
      .sort()
      .slice(0, 3);
    const originals = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(WEATHER_DIR, name)) })));
    const set = await labelledRepostSet(originals, 1);
    // What `index` wrote before this feature: the same records, without a perceptual hash.
    const encoder = await EmbeddingModel.create({
      dir: model,
      label: 'fixture/tiny',
      threads: 1,
      maxBatch: 8,
      maxWaitMs: 1,
      imageLimits: { maxBytes: 1e8, maxPixels: 1e8 },
    });
    store = `sqlite://${path.join(work, 'index.sqlite')}`;
    const writer = await ImageStore.open(store);
    try {
      for (const image of set) {
        const file = path.join(folder, image.name);
        await writeFile(file, image.bytes);
        await writer.put({
          id: file,
          collection: 'local',
          channelId: folder,
          messageId: '',
          attachmentId: '',
          authorId: '',
          createdAt: (await stat(file)).mtimeMs,
          source: file,
          contentHash: contentHash(image.bytes),
          perceptualHash: undefined,
          modelId: encoder.id,
          embedding: await encoder.embedImage(image.bytes),
        });
      }
    } finally {
      await writer.close();
      await encoder.dispose();
    }
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('duplicates says how many images lack a hash and that index fills them in; index does, without re-embedding', async () => {
    const before = await cli(['duplicates', '--json', '--model', model, '--store', store]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout.trim(), '[]');
    assert.match(
      before.stderr,
      /6 indexed images have no perceptual hash yet .*run "image-search index <folder>" again to hash them \(nothing is re-embedded\)/,
    );

    const index = await cli(['index', folder, '--model', model, '--store', store]);
    assert.match(index.stdout, /indexed 0 new, 0 changed, 6 unchanged/);

    const after = await cli(['duplicates', '--json', '--model', model, '--store', store]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal((JSON.parse(after.stdout) as Groups).map((group) => group.length).join(), '4');
    assert.doesNotMatch(after.stderr, /no perceptual hash/);
  });
});
