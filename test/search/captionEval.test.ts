import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CaptionsFormatError, evaluateCaptions, formatEvalReport, parseCaptions } from '../../src/search/captionEval.js';

const root = path.resolve('/data/memes');
const file = (name: string) => path.join(root, name);

describe('caption eval', () => {
  test('captions name files relative to the captions file; blank and # lines are skipped', () => {
    const captions = parseCaptions('# file\tquery\na.jpg\tpineapple wizard\n\nsub/b.png\t  walrus \n', path.join(root, 'captions.tsv'));
    assert.deepEqual(captions, [
      { file: file('a.jpg'), query: 'pineapple wizard' },
      { file: file('sub/b.png'), query: 'walrus' },
    ]);
  });

  test('a line without a tab or a query is refused, naming the line', () => {
    assert.throws(
      () => parseCaptions('a.jpg\tok\nb.jpg walrus\n', 'captions.tsv'),
      (error: Error) => error instanceof CaptionsFormatError && /line 2/.test(error.message),
    );
    assert.throws(() => parseCaptions('\n# only comments\n', 'captions.tsv'), CaptionsFormatError);
  });

  test('recall at 1, 5, 10 and MRR per mode, formatted as the documented table with the RESULT line for both', async () => {
    const captions = ['a', 'b', 'c', 'd'].map((name) => ({ file: file(name), query: name }));
    // meaning: a at 1, b at 3, c at 7, d missing; words: all at 1; both: a, b at 1, c at 2, d at 11 (outside the top 10).
    const ranking = (position: Record<string, number>) => async (query: string) => {
      const list = Array.from({ length: 12 }, (_, i) => file(`other${i}`));
      if (position[query] !== undefined) list.splice(position[query] - 1, 0, file(query));
      return list;
    };
    const report = await evaluateCaptions(
      captions,
      {
        meaning: ranking({ a: 1, b: 3, c: 7 }),
        words: ranking({ a: 1, b: 1, c: 1, d: 1 }),
        both: ranking({ a: 1, b: 1, c: 2, d: 11 }),
      },
      (name) => name !== file('d'),
    );
    assert.equal(
      formatEvalReport(report),
      [
        '4 queries',
        '',
        '| match | Recall@1 | Recall@5 | Recall@10 | MRR@10 |',
        '| --- | --- | --- | --- | --- |',
        '| meaning | 0.250 | 0.500 | 0.750 | 0.369 |',
        '| words | 1.000 | 1.000 | 1.000 | 1.000 |',
        '| both | 0.500 | 0.750 | 0.750 | 0.625 |',
        '',
        `1 captioned file(s) are not in the index (counted as misses): ${file('d')}`,
        '',
        'RESULT eval.recall_at_1 0.500',
      ].join('\n'),
    );
  });
});
