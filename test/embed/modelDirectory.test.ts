import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { ModelDirectoryError } from '../../src/embed/modelDirectory.js';
import { IDENTITY_FILE, modelIdentity } from '../../src/embed/modelIdentity.js';
import { readConfig } from '../fixtures/models/assertModelDirectory.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';

let tiny: string;
let scratch: string;

async function copyOfTiny(): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'model-'));
  await cp(tiny, dir, { recursive: true });
  return dir;
}

function open(dir: string): Promise<EmbeddingModel> {
  return EmbeddingModel.create({
    dir,
    label: 'fixture/tiny',
    threads: 1,
    maxBatch: 4,
    maxWaitMs: 1,
    imageLimits: { maxBytes: 1e7, maxPixels: 1e7 },
  });
}

async function refusal(dir: string): Promise<ModelDirectoryError> {
  try {
    const model = await open(dir);
    await model.dispose();
  } catch (error) {
    assert.ok(error instanceof ModelDirectoryError, `expected ModelDirectoryError, got ${String(error)}`);
    return error;
  }
  assert.fail('the model directory was accepted');
}

before(async () => {
  tiny = await fixtureModelDir('tiny');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'model-dir-test-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

describe("a model is known by its files, not by its folder's name", () => {
  test('a copy in a folder named like a published model is the same model; a changed file makes another', async () => {
    const copy = path.join(scratch, 'uform3-image-text-english-base');
    await cp(tiny, copy, { recursive: true });
    const model = await open(copy);
    try {
      assert.equal(model.id, await modelIdentity(tiny));
      assert.match(model.id, /^sha256-[0-9a-f]{32}$/);
      assert.equal(model.label, 'fixture/tiny');
    } finally {
      await model.dispose();
    }
    await writeFile(path.join(copy, 'config.json'), JSON.stringify(await readConfig(copy), null, 4));
    assert.notEqual(await modelIdentity(copy), await modelIdentity(tiny));
  });

  test('the identity is cached beside the model, by file sizes and times, so a start does not hash it again', async () => {
    const dir = await copyOfTiny();
    const id = await modelIdentity(dir);
    const cached = JSON.parse(await readFile(path.join(dir, IDENTITY_FILE), 'utf8')) as { id: string };
    assert.equal(cached.id, id);
    // A cache entry whose stamps still match is believed (the files are not read again).
    await writeFile(path.join(dir, IDENTITY_FILE), JSON.stringify({ ...cached, id: 'sha256-0123456789abcdef0123456789abcdef' }));
    assert.equal(await modelIdentity(dir), 'sha256-0123456789abcdef0123456789abcdef');
    // Once a file changes, its stamp does too, and the files are hashed again.
    await writeFile(path.join(dir, 'tokenizer.json'), `${await readFile(path.join(dir, 'tokenizer.json'), 'utf8')}\n`);
    assert.notEqual(await modelIdentity(dir), 'sha256-0123456789abcdef0123456789abcdef');
  });

  test('a file swapped for another of the same size, its modification time restored (as cp -p or tar do), is hashed again', async () => {
    const dir = await copyOfTiny();
    const id = await modelIdentity(dir);
    const file = path.join(dir, 'config.json');
    const before = await stat(file);
    const text = await readFile(file, 'utf8');
    // Same length, other bytes: one space becomes a tab.
    await writeFile(file, text.replace(' ', '\t'));
    await utimes(file, before.atime, before.mtime);
    assert.equal((await stat(file)).size, before.size);
    assert.notEqual(await modelIdentity(dir), id);
  });
});

describe('a model directory is refused with a message naming the file and the problem', () => {
  test('a missing file', async () => {
    const dir = await copyOfTiny();
    await unlink(path.join(dir, 'tokenizer.json'));
    const error = await refusal(dir);
    assert.equal(error.file, path.join(dir, 'tokenizer.json'));
    assert.match(error.message, /missing/);
  });

  test('config.json that is not JSON', async () => {
    const dir = await copyOfTiny();
    await writeFile(path.join(dir, 'config.json'), '{ "image_encoder": ');
    const error = await refusal(dir);
    assert.equal(error.file, path.join(dir, 'config.json'));
    assert.match(error.message, /not valid JSON/);
  });

  test('config.json without a required field', async () => {
    const dir = await copyOfTiny();
    const config = await readConfig(dir);
    const { padding_idx, ...textEncoder } = config.text_encoder;
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, text_encoder: textEncoder }));
    assert.match((await refusal(dir)).message, /text_encoder\.padding_idx/);
  });

  test('an ONNX file whose inputs do not match the format', async () => {
    const dir = await copyOfTiny();
    await cp(path.join(tiny, 'text_encoder.onnx'), path.join(dir, 'image_encoder.onnx'));
    const error = await refusal(dir);
    assert.equal(error.file, path.join(dir, 'image_encoder.onnx'));
    assert.match(error.message, /has no input "images"/);
  });

  test('a file that is not ONNX at all', async () => {
    const dir = await copyOfTiny();
    await writeFile(path.join(dir, 'text_encoder.onnx'), 'not a model');
    const error = await refusal(dir);
    assert.equal(error.file, path.join(dir, 'text_encoder.onnx'));
    assert.match(error.message, /not a loadable ONNX model/);
  });

  test('an image size in config.json the model cannot take', async () => {
    const dir = await copyOfTiny();
    const config = await readConfig(dir);
    config.image_encoder.image_size = 48;
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    const error = await refusal(dir);
    assert.equal(error.file, path.join(dir, 'image_encoder.onnx'));
  });
});
