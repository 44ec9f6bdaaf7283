import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../fixtures/datasets.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Kill the process (SIGKILL) once stderr has this many lines matching `killAfterLines`. */
  killAfterLines?: RegExp;
  killCount?: number;
  env?: Record<string, string>;
}

/** Runs the CLI as a user would, in its own process; tests pass the model and a temporary store. */
export function cli(args: string[], options: CliRunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODEL_DIR: '', STORE_URL: '', LOG_LEVEL: 'info', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let matches = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.killAfterLines !== undefined) {
        matches = stderr.split('\n').filter((line) => options.killAfterLines!.test(line)).length;
        if (matches >= (options.killCount ?? 1)) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

