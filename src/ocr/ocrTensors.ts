/**
 * Pixels → the PaddleOCR models' input tensors. Both models were trained on OpenCV's
 * BGR channel order; the detector on ImageNet normalisation, the recogniser on
 * x / 127.5 - 1, at a fixed height of 48 px.
 */

/** Interleaved 8-bit RGB. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Rect {
  left: number;
  top: number;
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

/** The width a region takes at the recogniser's height. */
export function recognitionWidth(rect: Rect): number {
  return Math.max(1, Math.ceil((RECOGNITION_HEIGHT * rect.width) / rect.height));
}

/**
 * Writes one region, scaled to 48 px high (bilinear), into slot `slot` of a
 * [N, 3, 48, batchWidth] tensor; the rest of the row stays 0 (mid-grey once normalised).
 */
export function writeRecognitionSlot(image: RgbImage, rect: Rect, out: Float32Array, slot: number, batchWidth: number): void {
  const h = RECOGNITION_HEIGHT;
  const w = Math.min(batchWidth, recognitionWidth(rect));
  const plane = h * batchWidth;
  const base = slot * 3 * plane;
  const sx = rect.width / w;
  const sy = rect.height / h;
  const { data, width: stride } = image;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(rect.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(rect.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(rect.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(rect.width - 1, x0 + 1);
      const wx = fx - x0;
      const p00 = ((rect.top + y0) * stride + rect.left + x0) * 3;
      const p01 = ((rect.top + y0) * stride + rect.left + x1) * 3;
      const p10 = ((rect.top + y1) * stride + rect.left + x0) * 3;
      const p11 = ((rect.top + y1) * stride + rect.left + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const rgbChannel = 2 - c;
        const top = (data[p00 + rgbChannel] as number) * (1 - wx) + (data[p01 + rgbChannel] as number) * wx;
        const bottom = (data[p10 + rgbChannel] as number) * (1 - wx) + (data[p11 + rgbChannel] as number) * wx;
        out[base + c * plane + y * batchWidth + x] = (top * (1 - wy) + bottom * wy) / 127.5 - 1;
      }
    }
  }
}
