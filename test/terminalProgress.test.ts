import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startProgress } from '../src/terminalProgress.js';

/** ANSI escape sequences: the cursor moves and line clearing the bar draws with. */
const ANSI_ESCAPE = new RegExp(String.raw`\u001b\[[0-9;?]*[A-Za-z]`, 'g');

/** A terminal stand-in: what the bar draws, without the cursor and line-clearing escapes. */
function terminal(): { stream: NodeJS.WritableStream; text(): string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { stream, text: () => written.replace(ANSI_ESCAPE, '') };
}

describe('progress on a terminal', () => {
  test('nothing to count (an empty store) draws no bar at all', () => {
    const screen = terminal();
    const progress = startProgress('loading index', 0, { tty: true, stream: screen.stream });
    progress.stop();
    assert.equal(screen.text().trim(), '');
  });

  test('with no known total it shows the count and rate, never 0/0 or a percentage', () => {
    const screen = terminal();
    const progress = startProgress('loading index', 0, { tty: true, stream: screen.stream });
    progress.advance(1500);
    progress.stop();
    assert.match(screen.text(), /loading index 1500 \| [\d.]+\/s/);
    assert.doesNotMatch(screen.text(), /\/0\b|%/);
  });

  test('once the total is known it shows value/total, percentage and ETA', () => {
    const screen = terminal();
    const progress = startProgress('indexing', 0, { tty: true, stream: screen.stream });
    progress.setTotal(10);
    progress.advance(5, { skipped: 1 });
    progress.stop();
    assert.match(screen.text(), /indexing \[.*\] 5\/10 50% \| [\d.]+\/s \| ETA .* skipped 1/);
  });
});
