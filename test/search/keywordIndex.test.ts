import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordIndex, keywordTerms } from '../../src/search/keywordIndex.js';

function indexOf(...documents: Parameters<KeywordIndex['put']>[0][]): KeywordIndex {
  const index = new KeywordIndex();
  for (const document of documents) index.put(document);
  return index;
}

const ids = (index: KeywordIndex, query: string, filter?: (id: string) => boolean) => index.search(query, { limit: 10, filter }).map((hit) => hit.id);

describe('KeywordIndex', () => {
  test('finds an image by a word read from it, its message, its file name or its alt text', () => {
    const index = indexOf(
      { id: 'ocr', imageText: 'WHEN YOU FIND THE PINEAPPLE' },
      { id: 'message', messageText: 'look at this wizard' },
      { id: 'file', fileName: 'capybara_party.png' },
      { id: 'alt', description: 'a lighthouse at dusk' },
    );
    assert.deepEqual(ids(index, 'pineapple'), ['ocr']);
    assert.deepEqual(ids(index, 'Wizard'), ['message']);
    assert.deepEqual(ids(index, 'capybara'), ['file']);
    assert.deepEqual(ids(index, 'lighthouse'), ['alt']);
  });

  test('says which of the image\'s words matched, and what share of the query they cover', () => {
    const index = indexOf({ id: 'a', imageText: 'THE PINEAPPLE WIZARD' }, { id: 'b', imageText: 'a wizard hat' });
    const [best, next] = index.search('pineapple wizard', { limit: 10 });
    assert.deepEqual(best, { ...best, id: 'a', matchedWords: ['pineapple', 'wizard'], coverage: 1 });
    assert.deepEqual(next, { ...next, id: 'b', matchedWords: ['wizard'], coverage: 0.5 });
  });

  test('forgives one misread letter in a longer word', () => {
    const index = indexOf({ id: 'a', imageText: 'NOBODY EXPECTS THE HEL1COPTER' });
    assert.deepEqual(ids(index, 'helicopter'), ['a']);
  });

  test('a removed image is no longer found; a replaced one is found by its new words only', () => {
    const index = indexOf({ id: 'a', imageText: 'pineapple' }, { id: 'b', imageText: 'pineapple' });
    assert.equal(index.remove('a'), true);
    assert.equal(index.remove('a'), false);
    index.put({ id: 'b', imageText: 'walrus' });
    assert.deepEqual(ids(index, 'pineapple'), []);
    assert.deepEqual(ids(index, 'walrus'), ['b']);
    assert.equal(index.size, 1);
  });

  test('the filter applies to word matches: rejected ids are never returned, and the limit counts only accepted ones', () => {
    const index = indexOf(...['a', 'b', 'c', 'd'].map((id) => ({ id, imageText: `pineapple ${id}` })));
    assert.deepEqual(ids(index, 'pineapple', (id) => id !== 'a' && id !== 'c').sort(), ['b', 'd']);
    assert.equal(index.search('pineapple', { limit: 1, filter: (id) => id === 'd' })[0]?.id, 'd');
  });

  test('a query without words finds nothing', () => {
    assert.deepEqual(ids(indexOf({ id: 'a', imageText: 'x' }), ' !? '), []);
  });

  test('terms are lower-case runs of letters and digits in any script', () => {
    assert.deepEqual(keywordTerms('Pineapple_wizard-2.PNG Ünïcode 中文'), ['pineapple', 'wizard', '2', 'png', 'ünïcode', '中文']);
  });
});
