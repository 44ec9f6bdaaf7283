import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../bot/botProcess.js';
import { startBotUnderTest, type BotUnderTest } from '../bot/botHarness.js';
import { buildSmallWorld, indexChannel, until, privateText, shownNames, shownText, type SmallWorld } from '../bot/world.js';
import { PROJECT_ROOT } from '../fixtures/datasets.js';
import {
  avif,
  bombPngHeader,
  cmykJpeg,
  emptyFile,
  exifRotatedJpeg,
  grayscaleImage,
  htmlAsBytes,
  longAnimatedGif,
  paddedPng,
  palettePngWithTransparency,
  sixteenBitPng,
  solidColourImage,
  svgReferencing,
  textBytes,
  tiff,
  truncatedJpeg,
  webp,
} from '../fixtures/images.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';

/**
 * Every kind of bad or unusual file, through the bot (all attached to ONE message in an indexed
 * channel, beside one good image) and through the CLI (`index` over a folder of them, `similar`
 * on a few). Nothing may crash or hang: each file is indexed, or refused with a reason the person
 * can act on (a recorded failure in the bot, a "failed:" line or a skip in the CLI).
 */

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 3000;

/** What must happen to a file: indexed; refused with a reason matching the pattern; or left alone unread. */
type Outcome = 'indexed' | RegExp | 'ignored' | 'skipped';

interface CorpusFile {
  input: string;
  filename: string;
  /** As the uploader's client declares it (the fake, like Discord, sniffs real image types itself). */
  contentType?: string;
  make: (canaryUrl: string) => Promise<Buffer>;
  /** Posted in an indexed channel: 'ignored' = not an image attachment type, never downloaded. */
  bot: Outcome;
  /** `image-search index <folder>`: 'skipped' = counted among non-images. */
  cli: Outcome;
}

const NOT_AN_IMAGE = /The file is not an image\. Send a JPEG, PNG, WebP, GIF, AVIF or TIFF image\./;
const DAMAGED = /The image is damaged or incomplete and cannot be read\./;
const BOMB = /The image is 30000×30000 pixels \(900 megapixels\); the limit is 40 megapixels\./;
const SVG = /SVG files are not supported\. Send a JPEG, PNG, WebP, GIF, AVIF or TIFF image\./;

// prettier-ignore
const CORPUS: CorpusFile[] = [
  { input: 'truncated JPEG',                        filename: 'truncated.jpg',                               make: truncatedJpeg,                            bot: DAMAGED,                               cli: DAMAGED },
  { input: 'zero-byte file',                        filename: 'empty.png',     contentType: 'image/png',     make: emptyFile,                                bot: /^The file is empty\.$/,               cli: 'skipped' },
  { input: 'text file named .png',                  filename: 'notes.png',                                   make: textBytes,                                bot: NOT_AN_IMAGE,                          cli: 'skipped' },
  { input: 'HTML served as image/png',              filename: 'page.png',      contentType: 'image/png',     make: htmlAsBytes,                              bot: NOT_AN_IMAGE,                          cli: 'skipped' },
  { input: '30000×30000 PNG (decompression bomb)',  filename: 'bomb.png',                                    make: () => bombPngHeader(30000, 30000),        bot: BOMB,                                  cli: BOMB },
  { input: 'PNG over the size cap',                 filename: 'huge.png',                                    make: () => paddedPng(MAX_BYTES + 40_000),      bot: /^The image is larger than 256 KB\.$/, cli: /^The file is [\d.]+ KB; the limit is 256 KB\.$/ },
  { input: 'SVG with external references',          filename: 'drawing.svg',   contentType: 'image/svg+xml', make: svgReferencing,                           bot: SVG,                                   cli: 'skipped' },
  { input: 'SVG with external references, as .png', filename: 'logo.png',      contentType: 'image/png',     make: svgReferencing,                           bot: SVG,                                   cli: SVG },
  { input: 'animated GIF of 500 frames',            filename: 'animation.gif',                               make: () => longAnimatedGif(500),               bot: 'indexed',                             cli: 'indexed' },
  { input: 'CMYK JPEG',                             filename: 'print.jpg',                                   make: () => cmykJpeg(),                         bot: 'indexed',                             cli: 'indexed' },
  { input: '16-bit PNG',                            filename: 'deep.png',                                    make: () => sixteenBitPng(),                    bot: 'indexed',                             cli: 'indexed' },
  { input: 'grayscale PNG',                         filename: 'gray.png',                                    make: () => grayscaleImage(),                   bot: 'indexed',                             cli: 'indexed' },
  { input: 'grayscale JPEG',                        filename: 'gray.jpg',                                    make: () => grayscaleImage({ format: 'jpeg' }), bot: 'indexed',                             cli: 'indexed' },
  { input: 'palette PNG with transparency',         filename: 'palette.png',                                 make: () => palettePngWithTransparency(),       bot: 'indexed',                             cli: 'indexed' },
  { input: 'EXIF-rotated JPEG (orientation 6)',     filename: 'rotated.jpg',                                 make: () => exifRotatedJpeg(6),                 bot: 'indexed',                             cli: 'indexed' },
  { input: 'AVIF',                                  filename: 'photo.avif',    contentType: 'image/avif',    make: () => avif(),                             bot: 'indexed',                             cli: 'indexed' },
  { input: 'WebP',                                  filename: 'photo.webp',                                  make: () => webp(),                             bot: 'indexed',                             cli: 'indexed' },
  { input: 'TIFF',                                  filename: 'scan.tiff',     contentType: 'image/tiff',    make: () => tiff(),                             bot: 'indexed',                             cli: 'indexed' },
  { input: 'a good image',                          filename: 'good.png',                                    make: () => solidColourImage([220, 30, 30]),    bot: 'indexed',                             cli: 'indexed' },
];

/** What happened to a file, as a line comparable with the table's: a reason matching the expected pattern shows as that pattern. */
function actualLine(file: CorpusFile, actual: string, expected: Outcome): string {
  if (expected instanceof RegExp && expected.test(actual)) return expectedLine(file, expected);
  return `${file.input}: ${['indexed', 'ignored', 'skipped'].includes(actual) ? actual : `refused: ${actual}`}`;
}

function expectedLine(file: CorpusFile, expected: Outcome): string {
  return `${file.input}: ${expected instanceof RegExp ? `refused: ${expected.source}` : expected}`;
}

/** A loopback server that records every request (to prove none is made) and answers with a real image. */
async function startCanary(): Promise<{ url: string; hits: string[]; server: Server }> {
  const image = await solidColourImage([30, 160, 50]);
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length }).end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/canary/`, hits, server };
}

/**
 * A trusted link server (listed with the CDN hosts, so where it points is what gets judged):
 * `/redirect?to=<url>` answers 302 there, `/slow` sends an image header then a byte now and then
 * forever, `/endless` streams an image without a length forever, `/page` is an HTML page.
 */
async function startLinkServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const to = url.searchParams.get('to');
    if (url.pathname === '/redirect' && to !== null) {
      res.writeHead(302, { location: to }).end();
    } else if (url.pathname === '/slow') {
      res.writeHead(200, { 'content-type': 'image/png' });
      const drip = setInterval(() => res.write(Buffer.from([0])), 200);
      res.on('close', () => clearInterval(drip));
    } else if (url.pathname === '/endless') {
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024);
      const pour = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pour);
      };
      pour();
    } else if (url.pathname === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><img src="cat.png"></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

function closeServer(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
}

describe('bad and unusual files reaching the bot', { timeout: 300_000 }, () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let linkServer: Server;
  let linkUrl: string;
  const files = new Map<CorpusFile, Buffer>();
  /** A corpus file as posted: its name, its bytes, and its content type when it announces one. */
  const fileSpec = (file: CorpusFile) => ({
    filename: file.filename,
    data: files.get(file)!,
    ...(file.contentType ? { contentType: file.contentType } : {}),
  });
  const similarTo = (file: CorpusFile) =>
    harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'similar',
      attachments: { image: fileSpec(file) },
    });

  before(async () => {
    canary = await startCanary();
    for (const file of CORPUS) files.set(file, await file.make(canary.url));
    const [fakePort, linkPort] = [await freePort(), await freePort()];
    linkServer = await startLinkServer(linkPort);
    linkUrl = `http://127.0.0.1:${linkPort}`;
    harness = await startBotUnderTest({
      fake: { port: fakePort },
      env: {
        MAX_IMAGE_BYTES: String(MAX_BYTES),
        DOWNLOAD_TIMEOUT_MS: String(TIMEOUT_MS),
        // The link server is trusted like the loopback CDN: only where it points is judged.
        DISCORD_CDN_HOSTS: `127.0.0.1:${fakePort},127.0.0.1:${linkPort}`,
      },
      setup: (discord) => (world = buildSmallWorld(discord)),
    });
    await indexChannel(harness, world);
  });
  after(async () => {
    await harness?.stop();
    await closeServer(linkServer);
    await closeServer(canary?.server);
  });

  test('one message holding the whole corpus: every file gets the outcome in the table', async () => {
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      attachments: CORPUS.map(fileSpec),
    });
    const ids = message.attachments.map((attachment) => `${message.id}:${attachment.id}`);
    const ingest = harness.bot.context.ingest;
    const outcomeOf = (i: number): string | undefined => {
      if (harness.engine.library.has(world.guildId, ids[i]!)) return 'indexed';
      return ingest.failures(world.guildId).recent.find((failure) => failure.id === ids[i])?.reason;
    };
    const settled = CORPUS.filter((file) => file.bot !== 'ignored').length;
    await until(() => CORPUS.filter((_, i) => outcomeOf(i) !== undefined).length >= settled, 'every file indexed or refused', 30_000).catch(
      () => undefined,
    );
    await ingest.idle();

    // Neither indexed nor refused: left alone.
    const actual = CORPUS.map((file, i) => actualLine(file, outcomeOf(i) ?? 'ignored', file.bot));
    assert.deepEqual(
      actual,
      CORPUS.map((file) => expectedLine(file, file.bot)),
    );
    assert.equal(ingest.failures(world.guildId).count, CORPUS.filter((file) => file.bot instanceof RegExp).length);
  });

  test('every refusal is also counted in the store (what survives a restart), none lost to concurrent writes', async () => {
    const refused = CORPUS.filter((file) => file.bot instanceof RegExp).length;
    assert.equal(await harness.engine.store.getCursor<number>(world.guildId, 'failures'), refused);
  });

  test('a file left alone or refused by its type is never downloaded', () => {
    const message = harness.discord.channelMessages(world.channelId).at(-1)!;
    for (const [i, file] of CORPUS.entries()) {
      // An attachment announced as SVG is refused by its type, unread: drawing one can fetch other addresses.
      if (file.bot !== 'ignored' && file.contentType !== 'image/svg+xml') continue;
      const attachmentId = message.attachments[i]!.id;
      const downloads = harness.discord.requests.filter((request) => request.kind === 'cdn' && request.path.includes(`/${attachmentId}/`));
      assert.deepEqual(downloads, [], `${file.input} was downloaded`);
    }
  });

  test('the bot still answers, and /stats counts the refused files with the last reason', async () => {
    const stats = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'stats' });
    const indexed = CORPUS.filter((file) => file.bot === 'indexed').length;
    const refused = CORPUS.filter((file) => file.bot instanceof RegExp).length;
    assert.match(stats.content, new RegExp(`\\*\\*${indexed} images?\\*\\* indexed`));
    assert.match(stats.content, new RegExp(`Failed images: ${refused} \\(last: .+\\)`));
    const find = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.match(shownText(find), /^### Results for "red"/);
    assert.ok(shownNames(find).length > 0, shownText(find));
  });

  test('/similar with a refused file says privately what is wrong with it', async () => {
    for (const file of CORPUS.filter((candidate) => candidate.bot instanceof RegExp)) {
      const started = Date.now();
      const reply = await similarTo(file);
      const text = privateText(reply);
      assert.match(text, /^I couldn't use that image: /, file.input);
      const reason = text.slice("I couldn't use that image: ".length);
      assert.ok(file.bot instanceof RegExp && file.bot.test(reason), `${file.input}: ${reason}`);
      assert.ok(Date.now() - started < TIMEOUT_MS, `${file.input} took ${Date.now() - started} ms`);
    }
  });

  test('/similar with an unusual but valid file shows results', async () => {
    for (const file of CORPUS.filter((candidate) => candidate.bot === 'indexed')) {
      const reply = await similarTo(file);
      assert.match(shownText(reply), new RegExp(`^### Images like ${file.filename.replace('.', '\\.')}`), file.input);
      assert.ok(shownNames(reply).length > 0, `${file.input}: ${shownText(reply)}`);
    }
  });

  test('/similar url: a trusted server redirecting to a loopback or private address is not followed', async () => {
    const canaryPort = new URL(canary.url).port;
    const targets = [
      canary.url + 'direct.png',
      `http://localhost:${canaryPort}/canary/localhost.png`,
      `http://[::1]:${canaryPort}/canary/v6.png`,
      `http://[::ffff:127.0.0.1]:${canaryPort}/canary/mapped.png`,
      `http://2130706433:${canaryPort}/canary/decimal.png`,
      `http://0x7f.1:${canaryPort}/canary/hex.png`,
      `http://0.0.0.0:${canaryPort}/canary/zero.png`,
      'http://10.0.0.1/canary/private.png',
      'http://192.168.1.1/canary/router.png',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/canary/cgnat.png',
      // Two hops: the second redirect is judged like the first.
      `${linkUrl}/redirect?to=${encodeURIComponent(canary.url + 'second-hop.png')}`,
    ];
    for (const target of targets) {
      const started = Date.now();
      const url = `${linkUrl}/redirect?to=${encodeURIComponent(target)}`;
      const reply = await harness.discord.invokeSlashCommand({
        channelId: world.channelId,
        userId: world.memberId,
        name: 'similar',
        options: { url },
      });
      assert.match(privateText(reply), /private network address/, target);
      assert.ok(Date.now() - started < TIMEOUT_MS, `${target} took ${Date.now() - started} ms`);
    }
    const direct = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'similar',
      options: {
        url: `${linkUrl}/redirect?to=${encodeURIComponent(harness.discord.channelMessages(world.channelId).at(-1)!.attachments.at(-1)!.url)}`,
      },
    });
    // The same link server pointing at the trusted CDN is followed: the refusals above are the policy, not a broken redirect.
    assert.ok(shownNames(direct).length > 0, shownText(direct));
  });

  test('/similar url: a link that is too slow, too long or not an image is refused privately within the download timeout', async () => {
    const cases = [
      { path: '/slow', says: /did not answer in time/ },
      { path: '/endless', says: /larger than 256 KB/ },
      { path: '/page', says: /not an image \(the server says it is text\/html\)/ },
    ];
    for (const { path: linkPath, says } of cases) {
      const started = Date.now();
      const reply = await harness.discord.invokeSlashCommand({
        channelId: world.channelId,
        userId: world.memberId,
        name: 'similar',
        options: { url: linkUrl + linkPath },
      });
      assert.match(privateText(reply), says, linkPath);
      assert.ok(Date.now() - started < TIMEOUT_MS + 2000, `${linkPath} took ${Date.now() - started} ms`);
    }
  });

  test('no request ever reached the URLs the SVGs and redirects point at', () => {
    assert.deepEqual(canary.hits, []);
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODEL_DIR: '', STORE_URL: '', LOG_LEVEL: 'info', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('bad and unusual files given to the CLI', { timeout: 300_000 }, () => {
  let work: string;
  let folder: string;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let common: string[];
  const env = { MAX_IMAGE_BYTES: String(MAX_BYTES), DOWNLOAD_TIMEOUT_MS: String(TIMEOUT_MS) };

  before(async () => {
    canary = await startCanary();
    work = await mkdtemp(path.join(os.tmpdir(), 'bad-input-cli-'));
    folder = path.join(work, 'corpus');
    await mkdir(folder);
    for (const file of CORPUS) await writeFile(path.join(folder, file.filename), await file.make(canary.url));
    common = ['--model', await fixtureModelDir('tiny'), '--store', `sqlite://${path.join(work, 'index.sqlite')}`];
  });
  after(async () => {
    await closeServer(canary?.server);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  test('index over a folder of the corpus: every file gets the outcome in the table', async () => {
    const run = await cli(['index', folder, ...common, '--verbose'], env);
    assert.equal(run.code, 0, run.stderr);
    const handled = new Map<string, string>();
    for (const line of run.stderr.split('\n')) {
      if (!line.includes('"image handled"')) continue;
      const entry = JSON.parse(line) as { file: string; outcome: string };
      handled.set(path.basename(entry.file), entry.outcome);
    }
    const failed = new Map<string, string>();
    for (const line of run.stdout.split('\n')) {
      const match = /^ {2}failed: (.*?): (.*)$/.exec(line);
      if (match !== null) failed.set(path.basename(match[1]!), match[2]!);
    }
    // A file neither handled nor failed was skipped; the summary line must agree on how many.
    const outcomeOf = (file: CorpusFile): string => handled.get(file.filename) ?? failed.get(file.filename) ?? 'skipped';
    const actual = CORPUS.map((file) => actualLine(file, outcomeOf(file), file.cli));
    assert.deepEqual(
      actual,
      CORPUS.map((file) => expectedLine(file, file.cli)),
    );
    const count = (outcome: (o: Outcome) => boolean) => CORPUS.filter((file) => outcome(file.cli)).length;
    assert.match(
      run.stdout,
      new RegExp(
        `indexed ${count((o) => o === 'indexed')} new, 0 changed, 0 unchanged; ` +
          `skipped ${count((o) => o === 'skipped')} non-images; ${count((o) => o instanceof RegExp)} failed`,
      ),
    );
  });

  test('similar on a refused file exits 2 with its reason on one line, quickly', async () => {
    const refused = CORPUS.filter((file) => ['truncated.jpg', 'bomb.png', 'logo.png', 'huge.png'].includes(file.filename));
    const runs = await Promise.all(refused.map((file) => cli(['similar', path.join(folder, file.filename), ...common], env)));
    for (const [i, run] of runs.entries()) {
      const file = refused[i]!;
      assert.equal(run.code, 2, `${file.input}: ${run.stdout}${run.stderr}`);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^error: /);
      assert.ok(file.cli instanceof RegExp && file.cli.test(lines[0]!.slice('error: '.length)), `${file.input}: ${lines[0]}`);
    }
  });

  test('similar on an unusual but valid file finds that very file first', async () => {
    const valid = CORPUS.filter((file) => ['print.jpg', 'animation.gif', 'rotated.jpg'].includes(file.filename));
    const runs = await Promise.all(valid.map((file) => cli(['similar', path.join(folder, file.filename), ...common, '--top', '3'], env)));
    for (const [i, run] of runs.entries()) {
      assert.equal(run.code, 0, run.stderr);
      const first = /^\s+1\s+(\d\.\d{4})\s+(.*)$/.exec(run.stdout.split('\n')[1] ?? '');
      assert.ok(first !== null, run.stdout);
      assert.ok(Number(first[1]) > 0.999, `score ${first[1]}`);
      assert.ok(first[2]!.endsWith(path.sep + valid[i]!.filename), `${valid[i]!.input}: ${first[2]} comes first`);
    }
  });

  test('similar on a loopback URL is refused without a request', async () => {
    const run = await cli(['similar', `${canary.url}cli.png`, ...common], env);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, /private network address/);
  });

  test('no request ever reached the URLs the SVGs point at', () => {
    assert.deepEqual(canary.hits, []);
  });
});
