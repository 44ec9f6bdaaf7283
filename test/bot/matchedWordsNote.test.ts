import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageInfo } from '../../src/library/imageLibrary.js';
import { english } from '../../src/discord/messages/messages.js';
import { matchedWords } from '../../src/discord/results/hitNotes.js';

const IMAGE: ImageInfo = {
  id: '2:3',
  collection: '1',
  channelId: '4',
  messageId: '2',
  attachmentId: '3',
  authorId: '5',
  createdAt: 0,
  source: 'https://cdn.example/a.png',
  contentHash: 'h',
  perceptualHash: undefined,
  modelId: 'm',
};

const noteFor = (words: string[]) => matchedWords({ key: 0, hits: [{ image: IMAGE, score: 0.3, matchedWords: words }] }, english);

/** What OCR read and people wrote is user content: it is shown, never interpreted. */
describe('the "matched words" note', () => {
  test('sets each word in its own code span, so no markdown, mention or link in it takes effect', () => {
    const note = noteFor(['<@123>', '**bold**', '@everyone', 'https://example.com/x', '<#456>'])!;
    const spans = note.match(/`[^`]*`/g) ?? [];
    assert.deepEqual(spans, ['`<@123>`', '`**bold**`', '`@everyone`', '`https://example.com/x`', '`<#456>`']);
    assert.doesNotMatch(note.replace(/`[^`]*`/g, ''), /[<>*@#]|https?:/, 'nothing outside the code spans but the sentence');
  });

  test('a backtick or a line break cannot end the code span early', () => {
    assert.equal(noteFor(['a`b', 'two\nlines']), 'matched words: `ab` and `two lines`');
  });

  test('long words are cut, and a result found by meaning alone has no note', () => {
    assert.equal(noteFor(['x'.repeat(100)]), `matched words: \`${'x'.repeat(39)}…\``);
    assert.equal(noteFor([]), undefined);
  });
});
