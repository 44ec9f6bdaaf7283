/**
 * The models this bot knows how to run, and where their files are published.
 *
 * Every uform3 ONNX export is a HuggingFace model repository holding the same four files;
 * a file is fetched from `<hub>/<modelId>/resolve/main/<file>` and the hub lists the files
 * with their hashes at `<hub>/api/models/<modelId>/tree/main`.
 */

/** Where the models are published unless the operator points elsewhere (a mirror, a test server). */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

/** The git revision the files are taken from. */
export const MODEL_REVISION = 'main';

/** The files a uform3 model directory must hold before the encoder can load it. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'image_encoder.onnx', 'text_encoder.onnx'] as const;

export type ModelFileName = (typeof MODEL_FILES)[number];

export interface ModelManifestEntry {
  /** HuggingFace repository id, also the sub-directory of the models folder. */
  readonly id: string;
  /** Parameter count as published, for people choosing a model. */
  readonly parameters: string;
  readonly languages: number;
  readonly architecture: string;
  /** Length of the vectors the encoders output. */
  readonly embeddingDims: number;
  /** One line for help text and the README. */
  readonly description: string;
  readonly files: readonly ModelFileName[];
}

export const DEFAULT_MODEL_ID = 'unum-cloud/uform3-image-text-english-small';

export const MODEL_MANIFEST: readonly ModelManifestEntry[] = [
  {
    id: DEFAULT_MODEL_ID,
    parameters: '79 M',
    languages: 1,
    architecture: 'ViT-S/16 image tower + 4-layer BERT text tower',
    embeddingDims: 256,
    description: 'English only, smallest and fastest (79 M parameters, ViT-S/16 + 4-layer BERT, 256-d embeddings)',
    files: MODEL_FILES,
  },
  {
    id: 'unum-cloud/uform3-image-text-english-base',
    parameters: '143 M',
    languages: 1,
    architecture: 'ViT-B/16 image tower + 4-layer BERT text tower',
    embeddingDims: 256,
    description: 'English only, larger image tower (143 M parameters, ViT-B/16 + 4-layer BERT, 256-d embeddings)',
    files: MODEL_FILES,
  },
  {
    id: 'unum-cloud/uform3-image-text-multilingual-base',
    parameters: '206 M',
    languages: 21,
    architecture: 'ViT-B/16 image tower + 12-layer BERT text tower',
    embeddingDims: 256,
    description: '21 languages (206 M parameters, ViT-B/16 + 12-layer BERT, 256-d embeddings)',
    files: MODEL_FILES,
  },
];

export function findModel(modelId: string): ModelManifestEntry | undefined {
  return MODEL_MANIFEST.find((entry) => entry.id === modelId);
}

export function supportedModelIds(): string[] {
  return MODEL_MANIFEST.map((entry) => entry.id);
}

/**
 * The files to fetch for a model. An id outside the manifest (a fork, a private mirror) is
 * assumed to follow the uform3 layout, so it needs the same four files.
 */
export function modelFilesFor(modelId: string): readonly ModelFileName[] {
  return findModel(modelId)?.files ?? MODEL_FILES;
}

/** `owner/name`, each part free of path tricks, because the id becomes a directory path. */
export function isValidModelId(modelId: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(modelId) && !modelId.split('/').some((p) => p === '.' || p === '..');
}

function hubBase(hubUrl: string): string {
  return hubUrl.replace(/\/+$/, '');
}

/** Where one file of a model is downloaded from. */
export function modelFileUrl(hubUrl: string, modelId: string, file: string): string {
  return `${hubBase(hubUrl)}/${modelId}/resolve/${MODEL_REVISION}/${file}`;
}

/** The hub's JSON listing of the repository's files with their sizes and hashes. */
export function modelTreeUrl(hubUrl: string, modelId: string): string {
  return `${hubBase(hubUrl)}/api/models/${modelId}/tree/${MODEL_REVISION}`;
}

/** Lines for `--help` and the README: id, default marker, description. */
export function describeModels(): string[] {
  return MODEL_MANIFEST.map((entry) => `${entry.id}${entry.id === DEFAULT_MODEL_ID ? ' (default)' : ''}: ${entry.description}`);
}
