import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { PROJECT_ROOT } from '../fixtures/datasets.js';

/** Runs a small script in a process of its own (as the bot runs) and returns its exit code and output. */
async function runScript(source: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', source], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const guard = pathToFileURL(path.join(PROJECT_ROOT, 'src/discord/unhandledRejections.ts')).href;

test('a rejection nobody handles is logged and the process keeps running', async () => {
  const { code, output } = await runScript(`
    import { surviveUnhandledRejections } from '${guard}';
    surviveUnhandledRejections();
    Promise.reject(new Error('nobody handles this'));
    setTimeout(() => { console.log('still running'); process.exit(0); }, 200);
  `);
  assert.equal(code, 0, output);
  assert.match(output, /unhandled promise rejection/);
  assert.match(output, /nobody handles this/);
  assert.match(output, /still running/);
});

test('without the guard the same rejection ends the process (what the guard is for)', async () => {
  const { code, output } = await runScript(`
    Promise.reject(new Error('nobody handles this'));
    setTimeout(() => { console.log('still running'); process.exit(0); }, 200);
  `);
  assert.notEqual(code, 0);
  assert.doesNotMatch(output, /still running/);
});
