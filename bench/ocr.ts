/**
 * `npm run bench -- ocr [images=60]`: reading the words in memes and screenshots, then
 * finding each image by its one unique word.
 *
 * 1. OCR quality and cost per engine on a generated, labelled meme set (photo memes,
 *    flat memes, chat screenshots): word recall, character error rate, the share of
 *    images whose key word was read, seconds per image (wall and CPU, one image at a
 *    time, one onnxruntime thread) and resident memory added by the engine.
 * 2. `eval` on the same set with the chosen engine, indexed as `image-search index DIR --ocr`
 *    indexes it (embedding with the tiny fixture model, OCR text and file name as words),
 *    then Recall@1/5/10 and MRR for each match mode; then the same on memes made another way
 *    (./ocr/pangoMemes.ts). The tiny model only knows colours, so the meaning column is near
 *    chance here; words and both are the figures that count.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddingModel } from '../src/embed/embeddingModel.js';
import { setLogLevel } from '../src/logger.js';
import { indexFolder, LOCAL_COLLECTION } from '../src/library/folderIndexer.js';
import { ImageLibrary } from '../src/library/imageLibrary.js';
import { evaluateIndex } from '../src/library/indexEval.js';
import { ImageTextReader } from '../src/ocr/imageTextReader.js';
import { ImageStore } from '../src/store/imageStore.js';
import { fixtureModelDir } from '../test/fixtures/models/fixtureModels.js';
import { memeSet, writeMemeSet, type LabelledMeme } from '../test/fixtures/memes/memeSet.js';
import { characterErrorRate, wordRecall, wordsOf } from '../test/fixtures/memes/ocrScore.js';
import { paddleCandidate, tesseractCandidate, type OcrCandidate } from './ocr/ocrCandidates.js';
import { writePangoMemes } from './ocr/pangoMemes.js';

const COUNT = Number(process.argv[2] ?? 60);
if (!Number.isInteger(COUNT) || COUNT < 5) {
  console.error('usage: npm run bench -- ocr [images (5-150), default 60]');
  process.exit(2);
}
setLogLevel('error');

const line = (cells: readonly string[]) => console.log(`| ${cells.join(' | ')} |`);

interface Score {
  wordRecall: number;
  cer: number;
  keyWord: number;
  n: number;
}

async function measure(make: () => Promise<OcrCandidate>, memes: readonly LabelledMeme[]) {
  const rssBefore = process.memoryUsage().rss;
  const candidate = await make();
  await candidate.read(memes[0]!.bytes); // warm-up: first-run allocations are not per-image cost
  const scores = new Map<string, Score>();
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (const meme of memes) {
    const read = await candidate.read(meme.bytes);
    for (const kind of [meme.kind, 'all']) {
      const score = scores.get(kind) ?? { wordRecall: 0, cer: 0, keyWord: 0, n: 0 };
      score.wordRecall += wordRecall(meme.text, read);
      score.cer += Math.min(1, characterErrorRate(meme.text, read));
      score.keyWord += wordsOf(read).includes(meme.keyWord) ? 1 : 0;
      score.n++;
      scores.set(kind, score);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallPerImage = (performance.now() - wallStart) / 1000 / memes.length;
  const cpuPerImage = (cpu.user + cpu.system) / 1e6 / memes.length;
  const addedRssMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  await candidate.dispose();
  return { name: candidate.name, scores, wallPerImage, cpuPerImage, addedRssMb };
}

/** `eval` on the set, indexed as `image-search index DIR --ocr` indexes a folder. */
async function evalOnSet(dir: string): Promise<string> {
  const modelDir = await fixtureModelDir('tiny');
  const model = await EmbeddingModel.create({
    dir: modelDir,
    label: 'bench/tiny',
    threads: 1,
    maxBatch: 8,
    maxWaitMs: 5,
    imageLimits: { maxBytes: 50 * 2 ** 20, maxPixels: 100_000_000 },
  });
  const store = await ImageStore.open(`sqlite://${path.join(dir, 'index.sqlite')}`);
  const ocr = new ImageTextReader({ enabled: () => true, ocr: { threads: 1 } });
  try {
    const library = await ImageLibrary.open(model, store, { ocr });
    await indexFolder(library, dir, { concurrency: 8 });
    const captionsFile = path.join(dir, 'captions.tsv');
    return await evaluateIndex(library, LOCAL_COLLECTION, captionsFile, await readFile(captionsFile, 'utf8'));
  } finally {
    await ocr.close();
    await store.close();
    await model.dispose();
  }
}

async function main(): Promise<void> {
  const memes = await memeSet({ count: COUNT });
  const kinds = ['photo', 'flat', 'chat', 'all'];
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log(
    `meme set: ${memes.length} images (${kinds
      .slice(0, 3)
      .map((k) => `${memes.filter((m) => m.kind === k).length} ${k}`)
      .join(', ')}), seed 13\n`,
  );
  const results = [await measure(paddleCandidate, memes)];
  const tesseract = await tesseractCandidate();
  if (tesseract === undefined)
    console.log('(tesseract.js not installed: npm install --no-save tesseract.js @tesseract.js-data/eng to compare)\n');
  else results.push(await measure(async () => tesseract, memes));

  line(['engine', 'images', 'word recall', 'CER', 'key word read', 'wall s/image', 'CPU s/image', 'RSS added MB']);
  line(['---', '---', '---', '---', '---', '---', '---', '---']);
  for (const result of results) {
    for (const kind of kinds) {
      const s = result.scores.get(kind);
      if (s === undefined) continue;
      const cost =
        kind === 'all' ? [result.wallPerImage.toFixed(3), result.cpuPerImage.toFixed(3), result.addedRssMb.toFixed(0)] : ['', '', ''];
      line([
        kind === 'all' ? result.name : '',
        kind,
        (s.wordRecall / s.n).toFixed(3),
        (s.cer / s.n).toFixed(3),
        (s.keyWord / s.n).toFixed(3),
        ...cost,
      ]);
    }
  }
  const chosen = results[0]!;
  console.log(`\nRESULT ocr.key_word_recall ${(chosen.scores.get('all')!.keyWord / chosen.scores.get('all')!.n).toFixed(3)}`);
  console.log(`RESULT ocr.cpu_seconds_per_image ${chosen.cpuPerImage.toFixed(3)}`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-ocr-'));
  try {
    await writeMemeSet(path.join(dir, 'fixtures'), memes);
    console.log(`\neval on the same set (tiny fixture model: the meaning column reflects colours only)\n`);
    console.log(await evalOnSet(path.join(dir, 'fixtures')));
    const made = await writePangoMemes(path.join(dir, 'pango'));
    console.log(`\neval on ${made} memes made another way (Pango text in system fonts, bench/ocr/pangoMemes.ts)\n`);
    console.log(await evalOnSet(path.join(dir, 'pango')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
