/**
 * Pixels → the PaddleOCR models' input tensors. Both models were trained on OpenCV's
 * BGR channel order; the detector on ImageNet normalisation, the recogniser on
 * x / 127.5 - 1, at a fixed height of 48 px.
 */
import { quadHeight, quadWidth, type LineQuad } from './lineQuad.js';

/** Interleaved 8-bit RGB. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const DETECTION_MEAN = [0.485, 0.456, 0.406] as const;
const DETECTION_STD = [0.229, 0.224, 0.225] as const;
export const RECOGNITION_HEIGHT = 48;
/** The recogniser's narrowest input (PaddleOCR pads every line to at least 320 px). */
export const RECOGNITION_MIN_WIDTH = 320;

/** [1, 3, H, W] BGR, ImageNet-normalised. The image must already be at the detector's size. */
export function detectionTensor(image: RgbImage): Float32Array {
  const { data, width, height } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const rgbChannel = 2 - c; // plane 0 is blue
      out[c * plane + i] = ((data[i * 3 + rgbChannel] as number) / 255 - (DETECTION_MEAN[c] as number)) / (DETECTION_STD[c] as number);
    }
  }
  return out;
}

/** The width a line takes at the recogniser's height. */
export function recognitionWidth(quad: LineQuad): number {
  return Math.max(1, Math.ceil((RECOGNITION_HEIGHT * quadWidth(quad)) / Math.max(1e-6, quadHeight(quad))));
}

/**
 * Writes one line, sampled along its quad (bilinear) and scaled to 48 px high, into slot `slot`
 * of a [N, 3, 48, batchWidth] tensor; the rest of the row stays 0 (mid-grey once normalised).
 * Sampling along the quad is the affine warp PaddleOCR makes with OpenCV: a tilted line comes
 * out level, a turned one upright. Points outside the image take its nearest edge pixel.
 */
export function writeRecognitionSlot(image: RgbImage, quad: LineQuad, out: Float32Array, slot: number, batchWidth: number): void {
  const h = RECOGNITION_HEIGHT;
  const w = Math.min(batchWidth, recognitionWidth(quad));
  const plane = h * batchWidth;
  const base = slot * 3 * plane;
  const { data, width, height } = image;
  const { origin, along, down } = quad;
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / w;
      // The sample's position in pixel-centre coordinates.
      const fx = Math.min(width - 1, Math.max(0, origin.x + u * along.x + v * down.x - 0.5));
      const fy = Math.min(height - 1, Math.max(0, origin.y + u * along.y + v * down.y - 0.5));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const wx = fx - x0;
      const wy = fy - y0;
      const p00 = (y0 * width + x0) * 3;
      const p01 = (y0 * width + x1) * 3;
      const p10 = (y1 * width + x0) * 3;
      const p11 = (y1 * width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const rgbChannel = 2 - c;
        const top = (data[p00 + rgbChannel] as number) * (1 - wx) + (data[p01 + rgbChannel] as number) * wx;
        const bottom = (data[p10 + rgbChannel] as number) * (1 - wx) + (data[p11 + rgbChannel] as number) * wx;
        out[base + c * plane + y * batchWidth + x] = (top * (1 - wy) + bottom * wy) / 127.5 - 1;
      }
    }
  }
}
