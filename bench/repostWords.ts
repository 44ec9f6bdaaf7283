/**
 * `npm run bench -- repostWords [model dir]`: near-copies among memes made on shared templates, by
 * the pixels alone (OCR off) and with the words read in them (OCR on), and how well the words'
 * agreement (imageTextAgreement.ts) tells a copy from another caption on the same template.
 *
 * The set: TEMPLATES weather photos, each under CAPTIONS_PER_TEMPLATE different two-line captions
 * (MEME_CAPTIONS, upper case, one font per template), and one copy of every meme, made the ways
 * reposts are made (repostCopies.ts: re-saved, halved, cropped, framed, brightened, PNG, mirrored;
 * taken in turn), and per template one more meme on the template flipped left to right under a
 * fourth caption (as a meme generator's "flip" makes it; a copy of nothing). Two images form a
 * positive pair when they are the same meme (template and caption); the hard negatives are the
 * same template under another caption, flipped or not. Words are read by the
 * project's OCR (PP-OCRv4, one thread); embeddings come from the `small` fixture (random weights)
 * unless a model directory is given.
 *
 * Then the same words on plain photo reposts: the labelled weather set of `npm run bench -- reposts`
 * (53 photos, 36 with three copies and a mirrored one), many of whose photos carry a small
 * watermark that OCR reads differently on each copy: which true copies the words would lose, with
 * and without the rule that too little text does not decide (MIN_TEXT_CHARACTERS).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddingModel } from '../src/embed/embeddingModel.js';
import { OcrEngine } from '../src/ocr/ocrEngine.js';
import { isInformative } from '../src/reposts/dctHash.js';
import { characterCount, MIN_TEXT_AGREEMENT, MIN_TEXT_CHARACTERS, textAgreement } from '../src/reposts/imageTextAgreement.js';
import { nearerOrientation } from '../src/reposts/mirroredHash.js';
import { perceptualHash } from '../src/reposts/perceptualHash.js';
import { cosine, DEFAULT_REPOST_THRESHOLDS, isNearCopy } from '../src/reposts/repostMatcher.js';
import { WEATHER_DIR } from '../test/fixtures/datasets.js';
import { MEME_FONTS } from '../test/fixtures/memes/fonts.js';
import { photoMeme } from '../test/fixtures/memes/memeImages.js';
import { MEME_CAPTIONS } from '../test/fixtures/memes/memeWords.js';
import { BENCH_IMAGE_LIMITS, repostBenchModel } from './lib/repostBenchModel.js';
import { COPY_KINDS, labelledRepostSet, MIRRORED, repostCopy, type CopyKind } from '../test/fixtures/repostCopies.js';
import { score, scoreCells } from './lib/pairScore.js';

const LIMITS = BENCH_IMAGE_LIMITS;
const TEMPLATES = 16;
const CAPTIONS_PER_TEMPLATE = 3;
const COPIES: readonly CopyKind[] = [...COPY_KINDS, MIRRORED];
const AGREEMENT_SWEEP = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

interface Signals {
  hash: bigint;
  embedding: Float32Array;
  text: string;
}

interface Meme extends Signals {
  name: string;
  template: number;
  caption: number;
  kind: CopyKind | 'meme' | 'flipped template';
}

interface Pair {
  positive: boolean;
  sameTemplate: boolean;
  /** The pixels' verdict at the default thresholds (hashes both ways round, embeddings). */
  pixels: boolean;
  mirrored: boolean;
  agreement: number;
  /** The longer text holds MIN_TEXT_CHARACTERS or more: the words decide. */
  enoughText: boolean;
  kinds: string;
}

async function signalsOf(bytes: Buffer, model: EmbeddingModel, ocr: OcrEngine): Promise<Signals> {
  return {
    hash: await perceptualHash(bytes, LIMITS),
    embedding: await model.embedImage(bytes),
    text: (await ocr.read(bytes, LIMITS)).text,
  };
}

async function memes(model: EmbeddingModel, ocr: OcrEngine): Promise<Meme[]> {
  const photos = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  const made: Meme[] = [];
  let copies = 0;
  const add = async (bytes: Buffer, template: number, caption: number, kind: Meme['kind']) =>
    made.push({ name: `t${template}-c${caption}-${kind}`, template, caption, kind, ...(await signalsOf(bytes, model, ocr)) });
  for (let template = 0; template < TEMPLATES; template++) {
    const photo = await readFile(path.join(WEATHER_DIR, photos[(template * 3) % photos.length]!));
    const font = MEME_FONTS[template % MEME_FONTS.length]!;
    const lines = (caption: number) => MEME_CAPTIONS[caption]!.map((line) => line.replaceAll('#', 'cat').toUpperCase()) as [string, string];
    for (let k = 0; k < CAPTIONS_PER_TEMPLATE; k++) {
      const caption = (template + k * 5) % MEME_CAPTIONS.length;
      const meme = await photoMeme(photo, 600, { lines: lines(caption), font, ink: 'white' });
      const kind = COPIES[copies++ % COPIES.length]!;
      await add(meme, template, caption, 'meme');
      await add(await repostCopy(meme, kind), template, caption, kind);
    }
    const fresh = (template + 3) % MEME_CAPTIONS.length;
    await add(
      await photoMeme(await repostCopy(photo, MIRRORED), 600, { lines: lines(fresh), font, ink: 'white' }),
      template,
      fresh,
      'flipped template',
    );
  }
  return made;
}

/** Every pair; `same` says whether two images are one picture, `template` whether they share a template. */
function pairsOf<I extends Signals & { kind: string }>(
  images: readonly I[],
  same: (x: I, y: I) => boolean,
  template: (x: I, y: I) => boolean,
): Pair[] {
  const pairs: Pair[] = [];
  for (let a = 0; a < images.length; a++) {
    for (let b = a + 1; b < images.length; b++) {
      const x = images[a]!;
      const y = images[b]!;
      const informative = isInformative(x.hash) && isInformative(y.hash);
      const { distance, mirrored } = nearerOrientation(x.hash, y.hash);
      pairs.push({
        positive: same(x, y),
        sameTemplate: template(x, y),
        pixels: informative && isNearCopy(distance, cosine(x.embedding, y.embedding), DEFAULT_REPOST_THRESHOLDS),
        mirrored,
        agreement: textAgreement(x.text, y.text),
        enoughText: Math.max(characterCount(x.text), characterCount(y.text)) >= MIN_TEXT_CHARACTERS,
        kinds: [x.kind, y.kind].sort().join(' + '),
      });
    }
  }
  return pairs;
}

/** The weather photos with their copies (a mirrored one too), as in bench/reposts.ts. */
async function photoCopies(model: EmbeddingModel, ocr: OcrEngine): Promise<Array<Signals & { group: number; kind: string }>> {
  const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  const photos = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(WEATHER_DIR, name)) })));
  const set = await labelledRepostSet(photos, 36, { mirrored: true });
  const signals: Array<Signals & { group: number; kind: string }> = [];
  for (const image of set) signals.push({ group: image.group, kind: image.kind, ...(await signalsOf(image.bytes, model, ocr)) });
  return signals;
}

const line = (cells: ReadonlyArray<string | number>) => console.log(`| ${cells.join(' | ')} |`);
const quantile = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? NaN;
/** The decision with the words: as textsAllowNearCopy, at another agreement, or (`everyText`) letting any text decide. */
const withWords =
  (minAgreement: number, everyText = false) =>
  (pair: Pair) =>
    pair.pixels && ((!everyText && !pair.enoughText) || pair.agreement >= minAgreement);
/** The rule considered and not taken: pairs matched as mirror images exempt from the words. */
const mirroredExempt = (minAgreement: number) => (pair: Pair) => pair.pixels && (pair.mirrored || pair.agreement >= minAgreement);

async function main(): Promise<void> {
  const modelDir = process.argv[2];
  const model = await repostBenchModel(modelDir);
  const ocr = await OcrEngine.create({ threads: 1 });
  try {
    const images = await memes(model, ocr);
    const pairs = pairsOf(
      images,
      (x, y) => x.template === y.template && x.caption === y.caption,
      (x, y) => x.template === y.template,
    );
    const positives = pairs.filter((pair) => pair.positive);
    const otherCaption = pairs.filter((pair) => pair.sameTemplate && !pair.positive);
    console.log(
      `set: ${images.length} images (${TEMPLATES} templates × ${CAPTIONS_PER_TEMPLATE} captions, each with one copy, and a flipped template under a fourth), ${pairs.length} pairs, ${positives.length} positive, ${otherCaption.length} same template under another caption; embeddings: ${modelDir ?? 'small fixture (random weights)'}; low-information hashes: ${images.filter((image) => !isInformative(image.hash)).length}\n`,
    );

    console.log('word agreement (Jaccard) of the pairs that the pixels call near-copies');
    line(['pairs', 'count', 'min', '10th pct', 'median', '90th pct', 'max']);
    line(['---', '---', '---', '---', '---', '---', '---']);
    const groups: Array<[string, Pair[]]> = [
      ['same meme, not mirrored', positives.filter((pair) => pair.pixels && !pair.mirrored)],
      ['same meme, mirrored', positives.filter((pair) => pair.pixels && pair.mirrored)],
      ['same template, other caption, not mirrored', otherCaption.filter((pair) => pair.pixels && !pair.mirrored)],
      ['same template, other caption, mirrored', otherCaption.filter((pair) => pair.pixels && pair.mirrored)],
    ];
    for (const [what, group] of groups) {
      const values = group.map((pair) => pair.agreement);
      line([what, values.length, ...[0, 0.1, 0.5, 0.9, 1].map((q) => quantile(values, q).toFixed(2))]);
    }

    console.log(`\nthe decision at the defaults (h = 14, c = 0.8, hash alone within 8), by the minimum word agreement`);
    line(['decision', 'TP', 'FP', 'FN', 'precision', 'recall']);
    line(['---', '---', '---', '---', '---', '---']);
    const pixelsOnly = score(pairs, (pair) => pair.pixels);
    line(['pixels only (OCR off)', ...scoreCells(pixelsOnly)]);
    for (const t of AGREEMENT_SWEEP) {
      const s = score(pairs, withWords(t));
      const label = `words agree ≥ ${t}${t === MIN_TEXT_AGREEMENT ? ' (default)' : ''}`;
      line([label, ...scoreCells(s)]);
    }
    const everyText = score(pairs, withWords(MIN_TEXT_AGREEMENT, true));
    line([`words agree ≥ ${MIN_TEXT_AGREEMENT}, any text deciding`, ...scoreCells(everyText)]);
    const exempt = score(pairs, mirroredExempt(MIN_TEXT_AGREEMENT));
    line([`words agree ≥ ${MIN_TEXT_AGREEMENT}, mirrored pairs exempt`, ...scoreCells(exempt)]);

    console.log('\npositive pairs missed with the words at the default, by the copies involved');
    for (const kind of [...new Set(positives.map((pair) => pair.kinds))].sort()) {
      const ofKind = positives.filter((pair) => pair.kinds === kind);
      const missed = ofKind.filter((pair) => !withWords(MIN_TEXT_AGREEMENT)(pair));
      console.log(
        `${kind}: ${ofKind.length - missed.length} of ${ofKind.length} found (pixels alone: ${ofKind.filter((pair) => pair.pixels).length})`,
      );
    }

    const photos = await photoCopies(model, ocr);
    const photoPairs = pairsOf(
      photos,
      (x, y) => x.group === y.group,
      (x, y) => x.group === y.group,
    );
    const found = (subset: Pair[], decide: (pair: Pair) => boolean) => `${subset.filter(decide).length} of ${subset.length}`;
    const byPixels = photoPairs.filter((pair) => pair.pixels);
    console.log(
      `\nphoto copies (${photos.length} images, ${photos.filter((photo) => characterCount(photo.text) > 0).length} with some text read): of the true copies the pixels find, kept with the words`,
    );
    line(['copies', 'with the words', 'any text deciding']);
    line(['---', '---', '---']);
    for (const [what, subset] of [
      ['not mirrored', byPixels.filter((pair) => pair.positive && !pair.mirrored)],
      ['mirrored', byPixels.filter((pair) => pair.positive && pair.mirrored)],
      ['unrelated (false positives)', byPixels.filter((pair) => !pair.positive)],
    ] as const) {
      line([what, found(subset, withWords(MIN_TEXT_AGREEMENT)), found(subset, withWords(MIN_TEXT_AGREEMENT, true))]);
    }

    const withDefault = score(pairs, withWords(MIN_TEXT_AGREEMENT));
    const result = (name: string, value: number) => console.log(`RESULT reposts_words.${name} ${value.toFixed(3)}`);
    result('pixels_only_precision', pixelsOnly.precision);
    result('pixels_only_recall', pixelsOnly.recall);
    result('with_words_precision', withDefault.precision);
    result('with_words_recall', withDefault.recall);
    const photoCopiesFound = byPixels.filter((pair) => pair.positive);
    result('photo_copies_kept', photoCopiesFound.filter(withWords(MIN_TEXT_AGREEMENT)).length / photoCopiesFound.length);
  } finally {
    await ocr.dispose();
    await model.dispose();
  }
}

await main();
