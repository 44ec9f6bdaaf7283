import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../fixtures/datasets.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** SIGKILL the process once `killCount` (default 1) lines of stderr match this. */
  killAfterLines?: RegExp;
  killCount?: number;
  env?: Record<string, string>;
}

/** Runs the CLI as a user would, in its own process, without the caller's model, store or OCR settings. */
export function cli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODEL_DIR: '', STORE_URL: '', OCR: '', LOG_LEVEL: 'info', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.killAfterLines !== undefined) {
        const matches = stderr.split('\n').filter((line) => options.killAfterLines!.test(line)).length;
        if (matches >= (options.killCount ?? 1)) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
