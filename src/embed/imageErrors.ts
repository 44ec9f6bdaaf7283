/**
 * Why an image was refused before (or while) decoding it. The `message` is short and safe to show
 * to the person who posted the file; the decoder's own text, when there is any, stays in `detail`
 * (and `cause`) for logs.
 */
export type ImageRejectionReason = 'too-large-bytes' | 'too-many-pixels' | 'not-an-image' | 'unsupported-format' | 'corrupt';

export const SUPPORTED_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, AVIF or TIFF';

export class ImageRejectedError extends Error {
  override readonly name = 'ImageRejectedError';
  readonly reason: ImageRejectionReason;
  /** Decoder text or other diagnostics for logs; never shown to users. */
  readonly detail: string | undefined;

  constructor(reason: ImageRejectionReason, message: string, options: { detail?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.detail = options.detail;
  }

  static tooLargeBytes(size: number, limit: number): ImageRejectedError {
    let shown = formatBytes(size);
    let limitShown = formatBytes(limit);
    // Rounding can make a file just over the limit look equal to it; then show exact bytes.
    if (shown === limitShown) [shown, limitShown] = [`${size.toLocaleString('en')} bytes`, `${limit.toLocaleString('en')} bytes`];
    return new ImageRejectedError('too-large-bytes', `The file is ${shown}; the limit is ${limitShown}.`);
  }

  static tooManyPixels(width: number, height: number, limit: number): ImageRejectedError {
    return new ImageRejectedError(
      'too-many-pixels',
      `The image is ${width}×${height} pixels (${formatMegapixels(width * height)}); the limit is ${formatMegapixels(limit)}.`,
    );
  }

  static empty(): ImageRejectedError {
    return new ImageRejectedError('not-an-image', 'The file is empty.');
  }

  static notAnImage(detail?: string): ImageRejectedError {
    return new ImageRejectedError('not-an-image', `The file is not an image. Send a ${SUPPORTED_FORMATS_TEXT} image.`, detailOf(detail));
  }

  /** `formatName` is a human name such as "SVG" or "PDF". */
  static unsupportedFormat(formatName: string, detail?: string): ImageRejectedError {
    return new ImageRejectedError(
      'unsupported-format',
      `${formatName} files are not supported. Send a ${SUPPORTED_FORMATS_TEXT} image.`,
      detailOf(detail),
    );
  }

  static corrupt(detail?: string, cause?: unknown): ImageRejectedError {
    return new ImageRejectedError('corrupt', 'The image is damaged or incomplete and cannot be read.', {
      ...detailOf(detail),
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function detailOf(detail: string | undefined): { detail?: string } {
  return detail === undefined ? {} : { detail };
}

/** Binary megabytes, as chat apps show upload limits ("25 MB" = 25 × 2^20 bytes). */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${trimNumber(mb)} MB`;
  const kb = bytes / 1024;
  if (kb >= 1) return `${trimNumber(kb)} KB`;
  return `${bytes} bytes`;
}

function formatMegapixels(pixels: number): string {
  return `${trimNumber(pixels / 1e6)} megapixels`;
}

/** One decimal at most, none when whole: 25 → "25", 31.25 → "31.3". */
function trimNumber(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
