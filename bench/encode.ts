import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EmbeddingModel } from '../src/embed/embeddingModel.js';
import { preprocessImage } from '../src/embed/imagePreprocessor.js';
import { WEATHER_DIR } from '../test/fixtures/datasets.js';
import { fixtureModelDir } from '../test/fixtures/models/fixtureModels.js';
import { nodeLoaderFlags } from './lib/childProcess.js';
import { fmt, loadAverage, machineLine, table } from './lib/report.js';

/**
 * `npm run bench -- encode`: throughput of the embedding pipeline on the `small` fixture
 * (uform3-small's shapes with random weights, so inference costs what the real model costs),
 * in both forms: float32, and quantized as onnxruntime's quantize_dynamic leaves it, which is
 * how the published models ship. Each form runs in a process of its own (so its peak memory is
 * its own), over the 53 real weather photos: preprocessing alone, the encoder alone on ready
 * tensors, and end to end from file bytes, at batch 1, 8 and 32; then text queries.
 * CPU seconds are reported beside the rates. The last line is
 * `RESULT encode.pipeline_efficiency <end to end ÷ encoder at batch 8, quantized>`.
 */

const LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };
const BATCHES = [1, 8, 32] as const;
const ROUNDS = 3;
const CHILD_FLAG = '--measure';
const FORMS = ['float32', 'quantized'] as const;
type Form = (typeof FORMS)[number];

interface FormResult {
  form: Form;
  fileBytes: number;
  loadSeconds: number;
  preprocessRate: number;
  rows: Array<{ batch: number; encoder: number; endToEnd: number }>;
  textSequential: number;
  textConcurrent: number;
  /** CPU seconds per image end to end at batch 8, and per text query one at a time. */
  cpuPerImage: number;
  cpuPerText: number;
  /** The process's peak resident memory, model loaded and all runs done. */
  peakRss: number;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function cpuOf(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function cycle<T>(items: readonly T[], count: number): T[] {
  return Array.from({ length: count }, (_, i) => items[i % items.length]!);
}

async function measure(form: Form): Promise<FormResult> {
  const dir = await fixtureModelDir('small', { quantized: form === 'quantized' });
  const fileBytes = (
    await Promise.all(['image_encoder.onnx', 'text_encoder.onnx'].map(async (file) => (await stat(path.join(dir, file))).size))
  ).reduce((a, b) => a + b);
  const files = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  const photos = await Promise.all(files.map((file) => readFile(path.join(WEATHER_DIR, file))));
  const open = (maxBatch: number) =>
    EmbeddingModel.create({ dir, label: `bench/small-${form}`, threads: 0, maxBatch, maxWaitMs: 5, imageLimits: LIMITS });

  let probe!: EmbeddingModel;
  const loadSeconds = await timed(async () => (probe = await open(8)));
  const spec = probe.preprocessSpec;
  await probe.dispose();

  // Preprocessing alone: every photo, as many at once as the encoder would ask for.
  const preprocessSeconds = await timed(() => Promise.all(photos.map((bytes) => preprocessImage(bytes, spec, LIMITS))));
  const tensors = await Promise.all(photos.map((bytes) => preprocessImage(bytes, spec, LIMITS)));

  const rows: FormResult['rows'] = [];
  let cpuPerImage = Number.NaN;
  for (const batch of BATCHES) {
    const count = Math.max(batch * 2, 16);
    const model = await open(batch);
    await Promise.all(cycle(tensors, batch).map((tensor) => model.embedPreprocessed(tensor))); // warm-up
    // Alternating rounds, best of each: a passing load spike hits both figures alike.
    let encoderSeconds = Infinity;
    let endToEndSeconds = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      encoderSeconds = Math.min(
        encoderSeconds,
        await timed(() => Promise.all(cycle(tensors, count).map((tensor) => model.embedPreprocessed(tensor)))),
      );
      endToEndSeconds = Math.min(
        endToEndSeconds,
        await timed(() => Promise.all(cycle(photos, count).map((bytes) => model.embedImage(bytes)))),
      );
    }
    if (batch === 8) cpuPerImage = (await cpuOf(() => Promise.all(cycle(photos, count).map((bytes) => model.embedImage(bytes))))) / count;
    rows.push({ batch, encoder: count / encoderSeconds, endToEnd: count / endToEndSeconds });
    await model.dispose();
  }

  const textModel = await open(8);
  const queries = cycle(['a rainbow over the sea', 'snow on a mountain road', 'lightning at night', 'a foggy forest'], 64);
  await textModel.embedText('warm up');
  let sequentialSeconds = 0;
  const sequentialCpu = await cpuOf(async () => {
    sequentialSeconds = await timed(async () => {
      for (const query of queries.slice(0, 32)) await textModel.embedText(query);
    });
  });
  const concurrentSeconds = await timed(() => Promise.all(queries.map((query) => textModel.embedText(query))));
  await textModel.dispose();
  return {
    form,
    fileBytes,
    loadSeconds,
    preprocessRate: photos.length / preprocessSeconds,
    rows,
    textSequential: 32 / sequentialSeconds,
    textConcurrent: queries.length / concurrentSeconds,
    cpuPerImage,
    cpuPerText: sequentialCpu / 32,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
}

async function main(): Promise<void> {
  console.log(machineLine('encode bench'));
  const results: FormResult[] = [];
  for (const form of FORMS) {
    await fixtureModelDir('small', { quantized: form === 'quantized' }); // built here, outside the measured process
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...nodeLoaderFlags(process.execArgv), fileURLToPath(import.meta.url), CHILD_FLAG, form],
      { maxBuffer: 1 << 20 },
    );
    results.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as FormResult);
  }
  const at8 = (result: FormResult) => result.rows.find((row) => row.batch === 8)!;
  const efficiency = (result: FormResult) => at8(result).endToEnd / at8(result).encoder;
  const mb = (bytes: number) => fmt(bytes / 1e6, 0);
  console.log(
    `\nsmall fixture (ViT-S/16 224 px + 4-layer BERT, 256-d), onnxruntime threads = all cores; load average now ${loadAverage()}\n`,
  );
  console.log(
    table(
      [
        'form',
        'ONNX files MB',
        'load s',
        'peak RSS MB',
        'text queries/s (one at a time)',
        'text queries/s (concurrent)',
        'CPU ms per text query',
        'CPU ms per image (batch 8)',
        'pipeline efficiency (batch 8)',
      ],
      results.map((r) => [
        r.form,
        mb(r.fileBytes),
        fmt(r.loadSeconds, 2),
        mb(r.peakRss),
        fmt(r.textSequential),
        fmt(r.textConcurrent),
        fmt(r.cpuPerText * 1000, 0),
        fmt(r.cpuPerImage * 1000, 0),
        fmt(efficiency(r), 3),
      ]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['form', 'batch', 'encoder only (images/s)', 'end to end (images/s)', 'end to end ÷ encoder'],
      results.flatMap((r) =>
        r.rows.map((row) => [r.form, String(row.batch), fmt(row.encoder), fmt(row.endToEnd), fmt(row.endToEnd / row.encoder, 2)]),
      ),
    ),
  );
  console.log(
    `\npreprocessing alone (53 photos, all at once): ${results.map((r) => `${fmt(r.preprocessRate)} images/s (${r.form} run)`).join(', ')}`,
  );
  console.log(`RESULT encode.pipeline_efficiency ${fmt(efficiency(results.find((r) => r.form === 'quantized')!), 3)}`);
}

if (process.argv[2] === CHILD_FLAG) console.log(JSON.stringify(await measure(process.argv[3] as Form)));
else await main();
