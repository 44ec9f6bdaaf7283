import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hybridSearch } from '../../src/search/hybridSearch.js';
import type { KeywordHit } from '../../src/search/keywordIndex.js';
import { fuseRankings, type MeaningHit } from '../../src/search/rankFusion.js';

const meaning = (...ids: string[]): MeaningHit[] => ids.map((id, i) => ({ id, score: 0.9 - i * 0.01 }));
const words = (...hits: [string, string[], number][]): KeywordHit[] =>
  hits.map(([id, matchedWords, coverage], i) => ({ id, matchedWords, coverage, score: 10 - i }));

describe('fuseRankings', () => {
  test('an image whose words match the query ranks first, though its meaning ranks it low, and shows the words', () => {
    const fused = fuseRankings(meaning('sunset', 'beach', 'dog', 'meme'), words(['meme', ['pineapple'], 1]), { limit: 3 });
    assert.deepEqual(fused[0], { id: 'meme', score: fused[0]!.score, foundBy: 'both', matchedWords: ['pineapple'] });
    assert.deepEqual(
      fused.slice(1).map((hit) => [hit.id, hit.foundBy]),
      [
        ['sunset', 'meaning'],
        ['beach', 'meaning'],
      ],
    );
  });

  test('an image found by words alone ranks above the best meaning-only result', () => {
    const fused = fuseRankings(meaning('a-sunset', 'beach'), words(['z-meme', ['wizard'], 1]), { limit: 3 });
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['z-meme', 'a-sunset', 'beach'],
    );
    assert.equal(fused[0]!.foundBy, 'words');
  });

  test('what the query means wins over images matching only a common word of it', () => {
    // "a red sunset over the sea": "the", which most images hold, matched screenshots that rank low by meaning.
    const ranked = meaning('sunset', 'beach', 'sky', 'screenshot-1', 'screenshot-2', 'far');
    const fused = fuseRankings(ranked, words(['screenshot-1', ['the'], 0.05], ['screenshot-2', ['the'], 0.05]), { limit: 6 });
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['sunset', 'beach', 'sky', 'screenshot-1', 'screenshot-2', 'far'],
    );
    assert.deepEqual(
      fused.map((hit) => hit.foundBy),
      ['meaning', 'meaning', 'meaning', 'both', 'both', 'meaning'],
    );
  });

  test('among images holding the same words, meaning decides', () => {
    const fused = fuseRankings(meaning('a', 'b', 'c'), words(['c', ['pineapple'], 1], ['b', ['pineapple'], 1]), { limit: 3 });
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['b', 'c', 'a'],
    );
  });

  test('ranked first by both beats ranked first by either', () => {
    const fused = fuseRankings(meaning('a', 'b'), words(['b', ['x'], 1], ['a', ['x'], 1]), { limit: 2 });
    assert.equal(fused[0]!.foundBy, 'both');
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['a', 'b'],
    );
  });
});

describe('hybridSearch', () => {
  const sources = {
    meaning: async (_query: string, limit: number) => meaning('m1', 'm2', 'w1').slice(0, limit),
    words: (_query: string, limit: number) => words(['w1', ['pineapple'], 1]).slice(0, limit),
  };

  test('each match mode answers from its own side, or both fused', async () => {
    assert.deepEqual(
      (await hybridSearch('q', 'meaning', 2, sources)).map((hit) => hit.id),
      ['m1', 'm2'],
    );
    assert.deepEqual(
      (await hybridSearch('q', 'words', 2, sources)).map((hit) => [hit.id, hit.matchedWords]),
      [['w1', ['pineapple']]],
    );
    assert.deepEqual(
      (await hybridSearch('q', 'both', 2, sources)).map((hit) => hit.id),
      ['w1', 'm1'],
    );
  });
});
