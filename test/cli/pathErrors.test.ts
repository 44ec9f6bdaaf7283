import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../fixtures/datasets.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { cli, type CliRun } from './cliProcess.js';

/**
 * A path on the command line that does not exist is a runtime error (exit 2, as the README
 * says): one line that names the path and says what to do; no stack trace, no raw ENOENT, and
 * nothing created.
 */

const README_EXIT_CODES = /Exit codes: 0 success, 1 usage error \(the help is printed\), 2 runtime error/;

describe('paths on the command line that do not exist', () => {
  let work: string;
  let store: string;
  let model: string;

  before(async () => {
    model = await fixtureModelDir('tiny');
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-paths-'));
    store = `sqlite://${path.join(work, 'index.sqlite')}`;
  });
  after(() => rm(work, { recursive: true, force: true }));

  function assertOneLineNaming(run: CliRun, missing: string, advice: RegExp): void {
    assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    const [line = ''] = lines;
    assert.ok(line.includes(missing), line);
    assert.match(line, advice);
    assert.doesNotMatch(run.stderr, /ENOENT|\n\s+at /);
  }

  test('the README says what exit 2 means', async () => {
    assert.match(await readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8'), README_EXIT_CODES);
  });

  test('index of a folder that does not exist names it, and creates no store', async () => {
    const missing = path.join(work, 'no-such-folder');
    const run = await cli(['index', missing, '--model', model, '--store', store]);
    assertOneLineNaming(run, missing, /no folder .*check the path/);
    assert.deepEqual(await readdir(work), [], 'no store was created');
  });

  test('index of a file instead of a folder says it needs a folder', async () => {
    const file = path.join(PROJECT_ROOT, 'package.json');
    const run = await cli(['index', file, '--model', model, '--store', store]);
    assertOneLineNaming(run, file, /is a file, not a folder/);
  });

  for (const command of [['find', 'x'], ['stats']] as const) {
    test(`${command[0]} with a model folder that does not exist names it and says what --model takes`, async () => {
      const missing = path.join(work, 'no-such-model');
      const run = await cli([...command, '--model', missing, '--store', store]);
      assertOneLineNaming(run, missing, /no model folder .*give --model a folder holding .* or a model id such as/);
    });
  }
});
