import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runDownloadCommand } from '../../src/embed/downloadCommand.js';
import { capturedOutput } from '../fixtures/capturedOutput.js';
import type { DownloadProgressEvent } from '../../src/embed/downloadProgress.js';
import {
  downloadModel,
  ensureModelFiles,
  ModelDownloadError,
  ModelHashMismatchError,
  ModelHostUnreachableError,
  type DownloadModelOptions,
} from '../../src/embed/modelDownload.js';
import { DEFAULT_MODEL_ID, supportedModelIds } from '../../src/embed/modelManifest.js';
import { logger } from '../../src/logger.js';
import { FakeModelHub, makeRepoFiles, sha256, type FakeHubBehaviour } from './helpers/fakeModelHub.js';

const MODEL_ID = 'test-org/tiny-uform3';

let previousLevel: string;
before(() => {
  previousLevel = logger.level;
  logger.level = 'silent';
});
after(() => {
  logger.level = previousLevel;
});

let modelsDir: string;
let hub: FakeModelHub | undefined;
beforeEach(async () => {
  modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-download-'));
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  await fs.rm(modelsDir, { recursive: true, force: true });
});

async function startHub(behaviour: FakeHubBehaviour = {}, modelId = MODEL_ID): Promise<FakeModelHub> {
  hub = await FakeModelHub.start(modelId, makeRepoFiles(), behaviour);
  return hub;
}

function options(server: FakeModelHub, extra: Partial<DownloadModelOptions> = {}): DownloadModelOptions {
  return { modelId: MODEL_ID, modelsDir, hubUrl: server.url, onProgress: () => {}, retryDelayMs: 10, ...extra };
}

function target(file: string, modelId = MODEL_ID): string {
  return path.join(modelsDir, ...modelId.split('/'), file);
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/** Resolves once `file` holds at least `bytes` bytes; the cut in the fake hub waits for this. */
function untilStored(file: string, bytes: number): () => Promise<void> {
  return async () => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const size = await fs.stat(file).then(
        (info) => info.size,
        () => 0,
      );
      if (size >= bytes) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
}

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('downloadModel', () => {
  test('downloads all four files through the CDN redirect, verifies their hashes and reports progress to 100%', async () => {
    const server = await startHub();
    const events: DownloadProgressEvent[] = [];
    const result = await downloadModel(options(server, { onProgress: (event) => events.push(event) }));

    for (const file of server.files) {
      assert.deepEqual(await fs.readFile(target(file.name)), file.content, file.name);
      assert.equal(await exists(`${target(file.name)}.part`), false);
      const outcome = result.files.find((f) => f.file === file.name);
      assert.equal(outcome?.status, 'downloaded');
      assert.equal(outcome?.verification, file.lfs ? 'sha256' : 'git-sha1');

      const own = events.filter((e) => e.file === file.name);
      const first = own[0];
      const last = own.at(-1);
      assert.equal(first?.phase, 'start');
      assert.equal(first.bytesTotal, file.content.length);
      assert.equal(last?.phase, 'finish');
      assert.equal(last.bytesDone, file.content.length);
      assert.equal(last.bytesTotal, file.content.length);
      const advanced = own.filter((e) => e.phase === 'advance').map((e) => e.bytesDone);
      assert.deepEqual(
        advanced,
        [...advanced].sort((a, b) => a - b),
        'progress never goes backwards',
      );
      assert.equal(advanced.at(-1), file.content.length);
    }
    assert.ok(
      server.requests.some((r) => r.path.startsWith('/cdn/')),
      'LFS files came from the CDN path',
    );
  });

  test('a cut connection leaves only a .part, and the next call resumes it with a Range request', async () => {
    const part = `${target('image_encoder.onnx')}.part`;
    const server = await startHub({
      cutOnce: { file: 'image_encoder.onnx', afterBytes: 100_000, beforeCut: untilStored(part, 100_000) },
    });
    const file = server.file('image_encoder.onnx');

    await assert.rejects(downloadModel(options(server, { maxAttempts: 1 })), (error: unknown) => {
      assert.ok(error instanceof ModelDownloadError);
      assert.equal(error.kind, 'interrupted');
      return true;
    });
    const partSize = (await fs.stat(part)).size;
    assert.equal(partSize, 100_000, 'the part holds every byte received');
    assert.equal(await exists(target(file.name)), false);

    await downloadModel(options(server));
    assert.ok(
      server.requests.some((r) => r.range === `bytes=${partSize}-`),
      'resumed from the bytes on disk',
    );
    assert.deepEqual(await fs.readFile(target(file.name)), file.content);
  });

  test('a cut connection is resumed within the same call while attempts remain', async () => {
    const part = `${target('text_encoder.onnx')}.part`;
    const server = await startHub({
      cutOnce: { file: 'text_encoder.onnx', afterBytes: 50_000, beforeCut: untilStored(part, 50_000) },
    });
    await downloadModel(options(server, { maxAttempts: 2 }));
    assert.ok(
      server.requests.some((r) => r.range === 'bytes=50000-'),
      'the retry asked for the rest only',
    );
    assert.deepEqual(await fs.readFile(target('text_encoder.onnx')), server.file('text_encoder.onnx').content);
  });

  test('a server that ignores Range and answers 200 still yields a correct file', async () => {
    const server = await startHub({ ignoreRange: true });
    const file = server.file('image_encoder.onnx');
    await fs.mkdir(path.dirname(target(file.name)), { recursive: true });
    // A stale part whose bytes differ from the real file: appending to it would corrupt the result.
    await fs.writeFile(`${target(file.name)}.part`, Buffer.alloc(1000, 7));

    await downloadModel(options(server));
    assert.ok(
      server.requests.some((r) => r.range === 'bytes=1000-'),
      'a Range was asked for',
    );
    assert.deepEqual(await fs.readFile(target(file.name)), file.content);
  });

  test('a .part that already holds the whole file is verified and kept when the server answers 416', async () => {
    const server = await startHub();
    const file = server.file('image_encoder.onnx');
    await fs.mkdir(path.dirname(target(file.name)), { recursive: true });
    await fs.writeFile(`${target(file.name)}.part`, file.content);

    const result = await downloadModel(options(server));
    assert.ok(server.requests.some((r) => r.range === `bytes=${file.content.length}-`));
    assert.equal(result.files.find((f) => f.file === file.name)?.verification, 'sha256');
    assert.deepEqual(await fs.readFile(target(file.name)), file.content);
  });

  test('a file whose hash differs from the listing is rejected and nothing of it is left', async () => {
    const server = await startHub({ corrupt: 'text_encoder.onnx' });
    const file = server.file('text_encoder.onnx');
    await assert.rejects(downloadModel(options(server)), (error: unknown) => {
      assert.ok(error instanceof ModelHashMismatchError);
      assert.equal(error.kind, 'hash-mismatch');
      assert.equal(error.expected, sha256(file.content));
      assert.notEqual(error.actual, error.expected);
      assert.match(error.message, /text_encoder\.onnx/);
      assert.ok(error.message.includes(error.expected) && error.message.includes(error.actual));
      return true;
    });
    assert.equal(await exists(target(file.name)), false);
    assert.equal(await exists(`${target(file.name)}.part`), false);
  });

  test('a file the hub does not have gives the not-found error naming its URL', async () => {
    const server = await startHub({ absent: ['tokenizer.json'] });
    await assert.rejects(downloadModel(options(server)), (error: unknown) => {
      assert.ok(error instanceof ModelDownloadError);
      assert.equal(error.kind, 'not-found');
      assert.equal(error.url, `${server.url}/${MODEL_ID}/resolve/main/tokenizer.json`);
      assert.ok(error.message.includes(error.url));
      assert.match(error.message, /model id or the file name/);
      return true;
    });
  });

  test('a server that sends headers and then nothing fails with the timeout error naming the URL and every file to place by hand', async () => {
    const server = await startHub({ stall: 'config.json' });
    const started = Date.now();
    await assert.rejects(downloadModel(options(server, { maxAttempts: 1, timeouts: { stallMs: 300 } })), (error: unknown) => {
      assert.ok(error instanceof ModelDownloadError);
      assert.equal(error.kind, 'timeout');
      assert.ok(
        error.message.startsWith(`Timed out: the download stalled, no data from ${server.url}/${MODEL_ID}/resolve/main/config.json`),
        error.message,
      );
      const notYetOnDisk = server.files.filter((file) => !existsSync(target(file.name)));
      assert.ok(notYetOnDisk.length > 0);
      for (const file of notYetOnDisk) {
        assert.ok(
          error.message.includes(`${target(file.name)}  <-  ${server.url}/${MODEL_ID}/resolve/main/${file.name}`),
          `lists ${file.name}`,
        );
      }
      return true;
    });
    assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
  });

  test('an unreachable host gives the unreachable error naming the host and every file to place by hand', async () => {
    const port = await closedPort();
    const hubUrl = `http://127.0.0.1:${port}`;
    const download = downloadModel({ modelId: MODEL_ID, modelsDir, hubUrl, onProgress: () => {} });
    await assert.rejects(download, (error: unknown) => {
      assert.ok(error instanceof ModelHostUnreachableError);
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      for (const file of makeRepoFiles()) {
        assert.ok(error.message.includes(target(file.name)), `lists ${target(file.name)}`);
        const source = `${hubUrl}/${MODEL_ID}/resolve/main/${file.name}`;
        assert.ok(error.message.includes(source), `names the source of ${file.name}`);
      }
      return true;
    });
  });

  test('without the hub listing the files still download, LFS ones checked against X-Linked-Etag', async () => {
    const server = await startHub({ listing: 'absent' });
    const result = await downloadModel(options(server));
    for (const file of server.files) {
      assert.deepEqual(await fs.readFile(target(file.name)), file.content);
      assert.equal(result.files.find((f) => f.file === file.name)?.verification, file.lfs ? 'sha256' : 'none');
    }
  });

  test('ensureModelFiles returns the directory without any request when all files are present', async () => {
    const server = await startHub();
    for (const file of server.files) {
      await fs.mkdir(path.dirname(target(file.name)), { recursive: true });
      await fs.writeFile(target(file.name), file.content);
    }
    const dir = await ensureModelFiles(options(server));
    assert.equal(dir, path.dirname(target('config.json')));
    assert.equal(server.requests.length, 0);
  });
});

describe('models:download command', () => {
  test('an unknown model id exits 1 and lists the supported ids', async () => {
    const output = capturedOutput();
    const code = await runDownloadCommand(['--model', 'someone/unknown-model', '--dir', modelsDir], output);
    assert.equal(code, 1);
    for (const id of supportedModelIds()) assert.match(output.errLines.join('\n'), new RegExp(id));
  });

  test('downloads the default model from the given hub into the given folder and exits 0', async () => {
    const server = await startHub({}, DEFAULT_MODEL_ID);
    const output = capturedOutput();
    const code = await runDownloadCommand(['--dir', modelsDir, '--hub', server.url], output, { onProgress: () => {} });
    assert.equal(code, 0, output.errLines.join('\n'));
    for (const file of server.files) {
      assert.deepEqual(await fs.readFile(target(file.name, DEFAULT_MODEL_ID)), file.content);
    }
  });

  test('a download failure exits 2 with the error message', async () => {
    const port = await closedPort();
    const output = capturedOutput();
    const args = ['--dir', modelsDir, '--hub', `http://127.0.0.1:${port}`];
    const code = await runDownloadCommand(args, output, { onProgress: () => {} });
    assert.equal(code, 2);
    assert.match(output.errLines.join('\n'), /^Cannot reach 127\.0\.0\.1:/);
  });
});
