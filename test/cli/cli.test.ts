import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { solidColourImage, truncatedJpeg } from '../fixtures/images.js';
import { createClient } from '@redis/client';
import { ImageStore } from '../../src/store/imageStore.js';
import { loadConfig } from '../../src/config.js';
import { openEngine } from '../../src/engine.js';
import { readConfig } from '../fixtures/models/assertModelDirectory.js';
import { fixtureModelDir, TINY_COLOURS } from '../fixtures/models/fixtureModels.js';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';
import { cli } from './cliProcess.js';

/** A Redis database of this file's own (see redisDatabase.ts). */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const redisSkip = skipUnlessRedis(await emptyRedisDatabase(REDIS_URL));

/** Writes three indexed files, /photos/0.png to 2.png, as `image-search index` stores them, stamped with `modelId`. */
async function writeFolderRecords(storeUrl: string, modelId: string, embedding: Float32Array): Promise<void> {
  const writer = await ImageStore.open(storeUrl);
  await writer.putMany(
    Array.from({ length: 3 }, (_, i) => ({
      id: `/photos/${i}.png`,
      collection: 'local',
      channelId: '/photos',
      messageId: '',
      attachmentId: '',
      authorId: '',
      createdAt: i,
      source: `/photos/${i}.png`,
      contentHash: 'a'.repeat(64),
      perceptualHash: undefined,
      modelId,
      embedding,
    })),
  );
  await writer.close();
}

describe('the image-search CLI, end to end with the tiny model', () => {
  let work: string;
  let photos: string;
  let model: string;
  let store: string;
  const common = () => ['--model', model, '--store', store];

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
    photos = path.join(work, 'photos');
    await mkdir(path.join(photos, 'weather'), { recursive: true });
    for (const file of await readdir(WEATHER_DIR)) await copyFile(path.join(WEATHER_DIR, file), path.join(photos, 'weather', file));
    await mkdir(path.join(photos, 'colours'));
    for (const colour of TINY_COLOURS) {
      await writeFile(path.join(photos, 'colours', `${colour.name}.png`), await solidColourImage(colour.rgb, { width: 120, height: 90 }));
    }
    await writeFile(path.join(photos, 'notes.txt'), 'not an image');
    await writeFile(path.join(photos, 'fake.png'), 'text named .png');
    await writeFile(path.join(photos, 'broken.jpg'), await truncatedJpeg());
    store = `sqlite://${path.join(work, 'index.sqlite')}`;
  });
  after(() => rm(work, { recursive: true, force: true }));

  const imageCount = 53 + TINY_COLOURS.length;

  // Skipped: notes.txt, fake.png (text named .png) and the dataset's README.md.
  test('index reports what it indexed, skipped and could not use', async () => {
    const run = await cli(['index', photos, ...common()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`indexed ${imageCount} new, 0 changed, 0 unchanged; skipped 3 non-images; 1 failed`));
    assert.match(run.stdout, /failed: .*broken\.jpg: /);
  });

  test('find red puts the red image first', async () => {
    const run = await cli(['find', 'red', '--top', '3', ...common()]);
    assert.equal(run.code, 0, run.stderr);
    const first = run.stdout.split('\n')[1]!;
    assert.match(first, /^\s+1\s+\d\.\d{4}\s+.*colours\/red\.png$/);
  });

  test('similar X puts X first with a score close to 1', async () => {
    const target = path.join(photos, 'weather', (await readdir(path.join(photos, 'weather'))).sort()[7]!);
    const run = await cli(['similar', target, ...common()]);
    assert.equal(run.code, 0, run.stderr);
    const [, rank, score, file] = /^\s+(\d+)\s+(\d\.\d{4})\s+(.*)$/.exec(run.stdout.split('\n')[1]!)!;
    assert.equal(rank, '1');
    assert.equal(file, target);
    assert.ok(Number(score) > 0.999, `score ${score}`);
  });

  test('a second index run re-encodes nothing and removes deleted files', async () => {
    await unlink(path.join(photos, 'colours', 'brown.png'));
    const run = await cli(['index', photos, ...common()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`indexed 0 new, 0 changed, ${imageCount - 1} unchanged;.*removed 1 deleted`));
    const stats = await cli(['stats', ...common()]);
    assert.match(stats.stdout, new RegExp(`local: ${imageCount - 1} images`));
  });

  test('an interrupted index, run again, ends with exactly one record per image', async () => {
    const fresh = `sqlite://${path.join(work, 'interrupted.sqlite')}`;
    const killed = await cli(['index', photos, '--model', model, '--store', fresh, '--verbose'], {
      killAfterLines: /image handled/,
      killCount: 10,
    });
    assert.equal(killed.code, null, 'the first run was killed');
    const resumed = await cli(['index', photos, '--model', model, '--store', fresh]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const [, indexed, unchanged] = /indexed (\d+) new, 0 changed, (\d+) unchanged/.exec(resumed.stdout)!;
    assert.ok(Number(unchanged) >= 10, `only ${unchanged} were kept from the killed run`);
    assert.equal(Number(indexed) + Number(unchanged), imageCount - 1);
    const stats = await cli(['stats', '--model', model, '--store', fresh]);
    assert.match(stats.stdout, new RegExp(`local: ${imageCount - 1} images`));
  });

  test('usage errors exit 1 with help; runtime errors exit 2 with one line', async () => {
    const usage = await cli(['find']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /takes exactly one argument[\s\S]*Usage: image-search/);
    const runtime = await cli(['similar', path.join(work, 'missing.png'), ...common()]);
    assert.equal(runtime.code, 2);
    assert.equal(runtime.stderr.trim().split('\n').length, 1, runtime.stderr);
    assert.match(runtime.stderr, /cannot read .*missing\.png/);
  });

  test('stats needs no model: it counts the records straight from the store', async () => {
    const models = await mkdtemp(path.join(work, 'no-models-'));
    // A model that is not downloaded, and a hub that cannot be reached: nothing may be fetched or loaded.
    const run = await cli(['stats', '--model', 'nobody/no-such-model', '--store', store], {
      env: { MODELS_DIR: models, MODEL_HUB_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /model: not downloaded yet/);
    assert.match(run.stdout, new RegExp(`local: ${imageCount - 1} images`));
    assert.deepEqual(await readdir(models), []);
  });

  test('after a model change, find says how many images the old model embedded and how to re-embed them', async () => {
    // The same encoders with config.json written differently: another model, by its files.
    const changed = path.join(work, 'changed-model');
    await cp(model, changed, { recursive: true });
    await writeFile(path.join(changed, 'config.json'), JSON.stringify(await readConfig(changed), null, 4));
    const find = await cli(['find', 'red', '--model', changed, '--store', store]);
    assert.equal(find.code, 0, find.stderr);
    assert.match(
      find.stdout,
      new RegExp(
        `no results: all ${imageCount - 1} indexed images were embedded by another model .*run "image-search index <folder>" again to re-embed them`,
      ),
    );
    const stats = await cli(['stats', '--model', changed, '--store', store]);
    assert.match(
      stats.stdout,
      new RegExp(`local: 0 images \\(\\+${imageCount - 1} from another model; run "image-search index <folder>" again`),
    );
  });

  test('records of a 256-d model read with the 16-d tiny model: find and stats answer, nothing crashes', async () => {
    const other = `sqlite://${path.join(work, 'other-model.sqlite')}`;
    await writeFolderRecords(other, 'sha256-0123456789abcdef0123456789abcdef', new Float32Array(256).fill(0.0625));
    const find = await cli(['find', 'red', '--model', model, '--store', other]);
    assert.equal(find.code, 0, find.stderr);
    assert.match(find.stdout, /no results: all 3 indexed images were embedded by another model/);
    const stats = await cli(['stats', '--model', model, '--store', other]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /local: 0 images \(\+3 from another model/);
  });
});

describe('a store written before models were known by their files', () => {
  const HUB_ID = 'unum-cloud/uform3-image-text-english-small';
  let work: string;
  let modelsDir: string;
  let store: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-legacy-test-'));
    // The tiny fixture standing where a download of the hub model puts its files.
    modelsDir = path.join(work, 'models');
    await cp(await fixtureModelDir('tiny'), path.join(modelsDir, HUB_ID), { recursive: true });
    store = `sqlite://${path.join(work, 'legacy.sqlite')}`;
    // Stamped as earlier versions stamped them: with the hub id.
    await writeFolderRecords(store, HUB_ID, new Float32Array(16).fill(0.25));
  });
  after(() => rm(work, { recursive: true, force: true }));

  // No hub is reachable in tests: the files are in place, so nothing may be downloaded.
  const env = () => ({ MODELS_DIR: modelsDir, MODEL_HUB_URL: 'http://127.0.0.1:9' });

  test('its records are searched by the model used by that hub id, without a reindex', async () => {
    const find = await cli(['find', 'red', '--model', HUB_ID, '--store', store], { env: env() });
    assert.equal(find.code, 0, find.stderr);
    assert.match(find.stdout, /\/photos\/0\.png/);
    const stats = await cli(['stats', '--model', HUB_ID, '--store', store], { env: env() });
    assert.match(stats.stdout, /local: 3 images\n/);
  });

  test("the first adoption pins the stamp to the model's files: other files in that folder later do not adopt them", async () => {
    const config = loadConfig({ ...env(), MODEL: HUB_ID, STORE_URL: store, LOG_LEVEL: 'silent' });
    const engine = await openEngine(config);
    try {
      assert.equal(engine.library.statsOf('local').images, 3, 'adopted, and pinned (the engine may write)');
    } finally {
      await engine.close();
    }
    const configFile = path.join(modelsDir, HUB_ID, 'config.json');
    const original = await readFile(configFile, 'utf8');
    try {
      await writeFile(configFile, JSON.stringify(JSON.parse(original), null, 4));
      const stats = await cli(['stats', '--model', HUB_ID, '--store', store], { env: env() });
      assert.equal(stats.code, 0, stats.stderr);
      assert.match(stats.stdout, /local: 0 images \(\+3 from another model/);
    } finally {
      await writeFile(configFile, original);
    }
  });

  test('a model folder given by path proves nothing about old stamps: they count as another model', async () => {
    const stats = await cli(['stats', '--model', path.join(modelsDir, HUB_ID), '--store', store], { env: env() });
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /local: 0 images \(\+3 from another model/);
  });
});

describe('the CLI creates nothing it was only asked to read', () => {
  let work: string;
  let model: string;

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-readonly-test-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('stats, find and similar on a SQLite store that does not exist fail naming it, creating neither file nor folder', async () => {
    const missing = path.join(work, 'no', 'such', 'dir', 'x.sqlite');
    for (const args of [['stats'], ['find', 'red'], ['similar', path.join(WEATHER_DIR, 'README.md')]]) {
      const run = await cli([...args, '--model', model, '--store', `sqlite://${missing}`]);
      assert.equal(run.code, 2, `${args[0]}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, new RegExp(`no image store at sqlite://${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    await assert.rejects(stat(path.join(work, 'no')), { code: 'ENOENT' });
  });

  test('migrate --from a store that does not exist fails naming it, and creates nothing', async () => {
    const missing = path.join(work, 'typo.sqlite');
    const run = await cli(['migrate', '--from', `sqlite://${missing}`, '--to', `sqlite://${path.join(work, 'copy.sqlite')}`]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, /no image store at sqlite:.*typo\.sqlite: the file .* does not exist/);
    assert.deepEqual(await readdir(work), []);
  });

  test('an unsupported store URL is a usage error (exit 1), as the README says', async () => {
    const run = await cli(['stats', '--store', 'mongodb://127.0.0.1/x']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--store: unsupported store URL "mongodb:\/\/127\.0\.0\.1\/x"[\s\S]*Usage: image-search/);
  });

  test('stats on an empty Redis database writes nothing to it', { skip: redisSkip }, async () => {
    const run = await cli(['stats', '--model', model, '--store', REDIS_URL]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /no images indexed yet/);
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      assert.equal(await client.dbSize(), 0);
    } finally {
      await client.quit();
    }
  });
});
