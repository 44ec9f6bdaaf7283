import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './fixtures/datasets.js';

test('an interaction token inside a logged error is masked', () => {
  const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA';
  const script = `
    import { logger } from './src/logger.ts';
    const error = new Error('Unknown interaction at /webhooks/1234567890/${token}/messages');
    Object.assign(error, { url: 'https://discord.com/api/v10/interactions/987654321/${token}/callback' });
    logger.error({ err: error }, 'editing the reply failed');
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const entry = JSON.parse(run.stderr.trim().split('\n').at(-1)!) as { err: { message: string; url: string } };
  assert.ok(!run.stderr.includes(token), 'the token does not appear in the log');
  assert.equal(entry.err.message, 'Unknown interaction at /webhooks/1234567890/[redacted]/messages');
  assert.equal(entry.err.url, 'https://discord.com/api/v10/interactions/987654321/[redacted]/callback');
});
