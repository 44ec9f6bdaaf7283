/**
 * Image bytes → the model's input tensor, reproducing the training transform
 * (torchvision on PIL: Resize(S, BICUBIC) on the shorter side → CenterCrop(S) → ToTensor → Normalize).
 *
 * Untrusted bytes are refused with a typed ImageRejectedError before any pixels are decoded:
 * size cap, then magic-byte allowlist (SVG, PDF, HTML and text never reach a decoder), then the
 * header's dimensions against the pixel cap (decompression bombs).
 *
 * Resampling. PIL's algorithm is a separable convolution with the a = -0.5 cubic, widened by the
 * downscale factor, rounded to uint8 after each pass. libvips (sharp kernel 'cubic', same cubic, also
 * widened) is close when shrinking by 1.5× or more, and far cheaper: it runs off the main thread and
 * shrinks large JPEGs while decoding them. It is not close when enlarging (its affine interpolator is
 * offset from PIL's sampling grid) nor when shrinking slightly. So images whose shorter side is under
 * 1.5 · S are resampled here in JS with PIL's exact arithmetic, computing only the pixels that survive
 * the crop (≈ 2 M integer multiply-adds at most). The test measures both paths against an independent
 * PIL reference.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { ImageRejectedError } from './imageErrors.js';
import { bicubicCoefficients, resampleWindow } from './pilBicubicResample.js';

/** From the model's config.json. */
export interface ImagePreprocessSpec {
  imageSize: number;
  means: readonly number[];
  deviations: readonly number[];
}

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heif' | 'tiff';

export interface ImageProbe {
  format: ImageFormat;
  /** Upright size (EXIF orientation applied) of the first frame. */
  width: number;
  height: number;
  /** Frames or pages in the file; only the first is used. */
  pages: number;
}

/**
 * 'truncated' refuses files whose data ends early (as PIL does by default) instead of decoding them to
 * grey, but tolerates libjpeg's harmless warnings, which many cameras' files trigger.
 */
const FAIL_ON = 'truncated' as const;
/** Transparent images are seen on some background; white matches how most people see stickers and logos. */
const FLATTEN_BACKGROUND = { r: 255, g: 255, b: 255 };
/** Shorter sides below this many times S take the exact JS resampler (see the top of the file). */
const EXACT_RESAMPLE_BELOW = 1.5;

/** Bytes of any supported image → normalised CHW float32 of length 3·S·S. */
export async function preprocessImage(bytes: Uint8Array, spec: ImagePreprocessSpec, limits: ImageLimits): Promise<Float32Array> {
  const out = new Float32Array(3 * spec.imageSize * spec.imageSize);
  await preprocessImageInto(bytes, spec, limits, out, 0);
  return out;
}

/** Same as preprocessImage, written into `out` from `offset` (one slot of a batch tensor). */
export async function preprocessImageInto(
  bytes: Uint8Array,
  spec: ImagePreprocessSpec,
  limits: ImageLimits,
  out: Float32Array,
  offset: number,
): Promise<void> {
  const size = spec.imageSize;
  checkSpec(spec);
  if (!Number.isInteger(offset) || offset < 0 || offset + 3 * size * size > out.length) {
    throw new RangeError(`output slot at ${offset} (+${3 * size * size}) does not fit a tensor of ${out.length}`);
  }
  const probe = await probeImage(bytes, limits);
  const target = resizedSize(probe.width, probe.height, size);
  const crop = centreCropOffsets(target.width, target.height, size);
  const luts = normalisationTables(spec);
  if (Math.min(probe.width, probe.height) >= EXACT_RESAMPLE_BELOW * size) {
    const pixels = decoder(bytes, limits)
      .resize(target.width, target.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false })
      .extract({ left: crop.left, top: crop.top, width: size, height: size })
      // Orient after extract(): before it, sharp would rotate before resizing, which turns off JPEG
      // shrink-on-load for rotated photos. The crop box is in upright coordinates either way.
      .autoOrient();
    writeNormalised(await decodeRaw(pixels, size, size), size, luts, out, offset);
  } else {
    const columns = bicubicCoefficients(probe.width, target.width, crop.left, size);
    const rows = bicubicCoefficients(probe.height, target.height, crop.top, size);
    const window = { left: columns.first, top: rows.first, width: columns.end - columns.first, height: rows.end - rows.first };
    const source = await decodeRaw(decoder(bytes, limits).autoOrient().extract(window), window.width, window.height);
    writeNormalised(resampleWindow(source, window.width, columns, rows), size, luts, out, offset);
  }
}

/** The checks preprocessImage makes before decoding: size cap, format allowlist, pixel cap. */
export async function probeImage(bytes: Uint8Array, limits: ImageLimits): Promise<ImageProbe> {
  if (bytes.length === 0) throw ImageRejectedError.empty();
  if (bytes.length > limits.maxBytes) throw ImageRejectedError.tooLargeBytes(bytes.length, limits.maxBytes);
  const sniffed = sniffFormat(bytes);
  if (sniffed === undefined) throw ImageRejectedError.notAnImage();
  if (typeof sniffed !== 'string') throw ImageRejectedError.unsupportedFormat(sniffed.unsupported);
  let metadata: Metadata;
  try {
    // Header only; the pixel cap is checked below, with the real dimensions for the message.
    metadata = await sharp(bytes, { failOn: FAIL_ON, limitInputPixels: false }).metadata();
  } catch (error) {
    throw ImageRejectedError.corrupt(errorText(error), error);
  }
  if (metadata.format !== sniffed) throw ImageRejectedError.corrupt(`signature says ${sniffed}, decoder says ${metadata.format}`);
  if (metadata.format === 'heif' && metadata.compression === 'hevc') throw ImageRejectedError.unsupportedFormat('HEIC');
  const width = metadata.width;
  const height = metadata.pageHeight ?? metadata.height;
  if (!(width > 0 && height > 0)) throw ImageRejectedError.corrupt(`header gives ${width}×${height}`);
  if (width * height > limits.maxPixels) throw ImageRejectedError.tooManyPixels(width, height, limits.maxPixels);
  const turned = (metadata.orientation ?? 1) >= 5; // EXIF 5-8 turn the picture by 90° or 270°
  return { format: sniffed, width: turned ? height : width, height: turned ? width : height, pages: metadata.pages ?? 1 };
}

/** torchvision Resize(int): the shorter side becomes S, the longer int(S · long / short). */
export function resizedSize(width: number, height: number, size: number): { width: number; height: number } {
  return width <= height
    ? { width: size, height: Math.trunc((size * height) / width) }
    : { width: Math.trunc((size * width) / height), height: size };
}

/** torchvision CenterCrop offsets: int(round((d - S) / 2.0)) with Python's round (halves to even). */
export function centreCropOffsets(width: number, height: number, size: number): { left: number; top: number } {
  return { left: roundHalfToEven((width - size) / 2), top: roundHalfToEven((height - size) / 2) };
}

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  if (value - floor !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkSpec(spec: ImagePreprocessSpec): void {
  if (!Number.isInteger(spec.imageSize) || spec.imageSize <= 0)
    throw new RangeError(`imageSize must be a positive integer, not ${spec.imageSize}`);
  if (spec.means.length !== 3 || spec.deviations.length !== 3 || spec.deviations.some((d) => !(d !== 0 && Number.isFinite(d)))) {
    throw new RangeError('means and deviations must each have 3 finite values, deviations non-zero');
  }
}

/**
 * Decode pipeline shared by both paths (and the perceptual hash): first frame, alpha on white, 8-bit
 * sRGB (callers add autoOrient). Call it on bytes probeImage accepted.
 */
export function decoder(bytes: Uint8Array, limits: ImageLimits): Sharp {
  const limitInputPixels = Number.isFinite(limits.maxPixels) ? Math.max(1, Math.floor(limits.maxPixels)) : false;
  return sharp(bytes, { failOn: FAIL_ON, limitInputPixels, pages: 1 }).flatten({ background: FLATTEN_BACKGROUND }).toColourspace('srgb');
}

async function decodeRaw(pipeline: Sharp, width: number, height: number): Promise<Buffer> {
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw /pixel limit/i.test(errorText(error))
      ? new ImageRejectedError('too-many-pixels', 'The image has too many pixels.', { detail: errorText(error), cause: error })
      : ImageRejectedError.corrupt(errorText(error), error);
  }
  const { info } = result;
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`decoder gave ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
  }
  return result.data;
}

/** ToTensor + Normalize as lookup tables: value v of channel c → (v / 255 - mean[c]) / deviation[c]. */
function normalisationTables(spec: ImagePreprocessSpec): Float32Array {
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = spec.means[c] as number;
    const deviation = spec.deviations[c] as number;
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / deviation;
  }
  return table;
}

/** Interleaved S×S RGB → CHW planes through the tables. */
function writeNormalised(rgb: Uint8Array, size: number, table: Float32Array, out: Float32Array, offset: number): void {
  const plane = size * size;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = table[rgb[p] as number] as number;
    out[offset + plane + i] = table[256 + (rgb[p + 1] as number)] as number;
    out[offset + 2 * plane + i] = table[512 + (rgb[p + 2] as number)] as number;
  }
}

/** Allowed formats by signature; a few well-known others are named so the refusal can say what they are. */
function sniffFormat(b: Uint8Array): ImageFormat | { unsupported: string } | undefined {
  const ascii = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(ascii(0, 4))) return 'tiff';
  if (ascii(4, 8) === 'ftyp') {
    const boxSize = Math.min(b.length, ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0), 256);
    const brands = ascii(8, Math.max(12, boxSize));
    if (/avif|avis|heic|heix|heim|heis|hevc|hevx|mif1|msf1/.test(brands)) return 'heif';
    return /^(isom|iso\d|mp4\d|avc1|qt {2}|3g|M4V)/.test(ascii(8, 12)) ? { unsupported: 'Video' } : undefined;
  }
  if (ascii(0, 5) === '%PDF-') return { unsupported: 'PDF' };
  if (ascii(0, 4) === '8BPS') return { unsupported: 'Photoshop (PSD)' };
  if (ascii(0, 2) === 'BM' && [12, 40, 52, 56, 108, 124].includes(b[14] ?? 0) && b[15] === 0) return { unsupported: 'BMP' };
  if (ascii(4, 12) === 'jP  \r\n\x87\n' || (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51))
    return { unsupported: 'JPEG 2000' };
  if ((b[0] === 0xff && b[1] === 0x0a) || ascii(4, 12) === 'JXL \r\n\x87\n') return { unsupported: 'JPEG XL' };
  const head = ascii(0, Math.min(b.length, 4096))
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart();
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return { unsupported: 'SVG' };
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
