import path from 'node:path';
import { commandOptions } from '../cli/commandOptions.js';
import { consoleOutput, type CommandOutput } from '../cli/commandOutput.js';
import { startedDirectly } from '../cli/startedDirectly.js';
import { ConfigError, loadConfig } from '../config.js';
import { downloadModel, ModelDownloadError, type DownloadModelOptions } from './modelDownload.js';
import { describeModels, findModel, supportedModelIds } from './modelManifest.js';

/**
 * `npm run models:download [-- --model ID] [--dir MODELS_DIR] [--hub URL]`: fetches a model's
 * files ahead of the first start. Exit codes: 0 done, 1 bad usage or unknown model, 2 download failed.
 */

export function usage(): string {
  return [
    'Usage: npm run models:download -- [--model ID] [--dir MODELS_DIR] [--hub URL]',
    '',
    "Downloads a model's files into MODELS_DIR/<model id>/. Defaults come from MODEL,",
    'MODELS_DIR and MODEL_HUB_URL (see .env.example). Supported models:',
    ...describeModels().map((line) => `  ${line}`),
  ].join('\n');
}

/** Runs the command and returns its exit code; `extra` lets tests set progress and timeouts. */
export async function runDownloadCommand(
  argv: readonly string[],
  output: CommandOutput = consoleOutput,
  extra: Partial<Pick<DownloadModelOptions, 'onProgress' | 'timeouts' | 'maxAttempts' | 'retryDelayMs'>> = {},
): Promise<number> {
  const values = commandOptions(
    argv,
    { model: { type: 'string', short: 'm' }, dir: { type: 'string', short: 'd' }, hub: { type: 'string' } },
    usage(),
    output,
  );
  if (typeof values === 'number') return values;
  let defaults: ReturnType<typeof loadConfig>['model'];
  try {
    defaults = loadConfig().model;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(error.message);
    return 1;
  }
  const modelId = values.model ?? defaults.id;
  if (!findModel(modelId)) {
    output.err(`Unknown model "${modelId}". Supported models: ${supportedModelIds().join(', ')}`);
    return 1;
  }
  const modelsDir = path.resolve(values.dir ?? defaults.modelsDir);
  try {
    const result = await downloadModel({ ...extra, modelId, modelsDir, hubUrl: values.hub ?? defaults.hubUrl });
    const fetched = result.files.filter((f) => f.status === 'downloaded').map((f) => f.file);
    output.out(
      fetched.length === 0
        ? `Model ${modelId} is already complete in ${result.dir}`
        : `Model ${modelId} is ready in ${result.dir} (downloaded ${fetched.join(', ')})`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.err(error instanceof ModelDownloadError ? message : `models:download failed: ${message}`);
    return 2;
  }
}

if (startedDirectly(import.meta.url)) {
  process.exitCode = await runDownloadCommand(process.argv.slice(2));
}
