import * as ort from 'onnxruntime-node';
import { ModelDirectoryError } from './modelDirectory.js';

/** The inputs and outputs a uform3 encoder must have, by name, element type and rank. */
export interface EncoderSignature {
  inputs: ReadonlyArray<{ name: string; type: ort.Tensor.Type; rank: number }>;
  outputs: readonly string[];
}

export const IMAGE_ENCODER_SIGNATURE: EncoderSignature = {
  inputs: [{ name: 'images', type: 'float32', rank: 4 }],
  outputs: ['features', 'embeddings'],
};

export const TEXT_ENCODER_SIGNATURE: EncoderSignature = {
  inputs: [
    { name: 'input_ids', type: 'int32', rank: 2 },
    { name: 'attention_mask', type: 'int32', rank: 2 },
  ],
  outputs: ['features', 'embeddings'],
};

export interface EncoderSessionOptions {
  /** onnxruntime intra-op threads; 0 lets onnxruntime use every core. */
  threads: number;
}

/** Loads an ONNX encoder and refuses it, naming the file, unless it has the uform3 signature. */
export async function openEncoderSession(
  file: string,
  signature: EncoderSignature,
  options: EncoderSessionOptions,
): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle worker threads sleep instead of spinning: spinning between queries burned ~3x the CPU
      // of a text query (40 vs 14 ms) and stole it from searches on the main thread and other shards.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new ModelDirectoryError(file, `is not a loadable ONNX model (${firstLine(error)})`);
  }
  const problem = signatureProblem(session, signature);
  if (problem !== undefined) {
    await session.release();
    throw new ModelDirectoryError(file, problem);
  }
  return session;
}

function signatureProblem(session: ort.InferenceSession, signature: EncoderSignature): string | undefined {
  const inputs = new Map(session.inputMetadata.map((meta) => [meta.name, meta]));
  for (const expected of signature.inputs) {
    const actual = inputs.get(expected.name);
    if (actual === undefined) {
      return `has no input "${expected.name}" (inputs: ${session.inputNames.join(', ') || 'none'}; expected ${describe(signature)})`;
    }
    if (!actual.isTensor || actual.type !== expected.type || actual.shape.length !== expected.rank) {
      const got = actual.isTensor ? `${actual.type} [${actual.shape.join(', ')}]` : 'a non-tensor';
      return `input "${expected.name}" is ${got}; expected ${expected.type} of rank ${expected.rank}`;
    }
  }
  if (inputs.size !== signature.inputs.length) {
    return `has inputs ${session.inputNames.join(', ')}; expected exactly ${describe(signature)}`;
  }
  for (const name of signature.outputs) {
    if (!session.outputNames.includes(name)) {
      return `has no output "${name}" (outputs: ${session.outputNames.join(', ') || 'none'}; expected ${signature.outputs.join(', ')})`;
    }
  }
  const embeddings = session.outputMetadata.find((meta) => meta.name === 'embeddings');
  if (embeddings?.isTensor && embeddings.type !== 'float32') {
    return `output "embeddings" is ${embeddings.type}; expected float32`;
  }
  return undefined;
}

function describe(signature: EncoderSignature): string {
  return signature.inputs.map((input) => `${input.name} (${input.type}, rank ${input.rank})`).join(', ');
}

export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')[0]!
    .slice(0, 300);
}

/** Reads `embeddings` [batch, dims] from a run's outputs as one L2-normalised vector per row. */
export function normalisedRows(output: ort.Tensor, batchSize: number): Float32Array[] {
  const data = output.data as Float32Array;
  const dims = output.dims[output.dims.length - 1]!;
  if (output.dims.length !== 2 || output.dims[0] !== batchSize) {
    throw new Error(`embeddings output has shape [${output.dims.join(', ')}]; expected [${batchSize}, D]`);
  }
  const rows: Float32Array[] = [];
  for (let row = 0; row < batchSize; row++) {
    const vector = data.slice(row * dims, (row + 1) * dims);
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += vector[i]! * vector[i]!;
    norm = Math.sqrt(norm);
    // A zero vector stays zero: it then scores 0 against everything instead of NaN.
    if (norm > 0) for (let i = 0; i < dims; i++) vector[i] = vector[i]! / norm;
    rows.push(vector);
  }
  return rows;
}
