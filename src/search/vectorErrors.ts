/** Errors of the vector index that a caller can act on. */

export class VectorDimensionError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `vector has ${actual} dimensions but this index holds ${expected}-dimension vectors; ` +
        'embed it with the same model the index was built with (or rebuild the index for the new model)',
    );
    this.name = 'VectorDimensionError';
  }
}

export class InvalidVectorError extends Error {
  constructor(what: string) {
    super(`${what}; vectors must hold finite numbers (an embedding with NaN or Infinity is a model or input bug)`);
    this.name = 'InvalidVectorError';
  }
}
