import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordIndex } from '../../src/search/keywordIndex.js';

function indexOf(...documents: Parameters<KeywordIndex['put']>[0][]): KeywordIndex {
  const index = new KeywordIndex();
  for (const document of documents) index.put(document);
  return index;
}

const ids = (index: KeywordIndex, query: string, filter?: (id: string) => boolean) =>
  index.search(query, { limit: 10, filter }).map((hit) => hit.id);

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

  test("says which of the image's words matched, as written there, and how much of the query they cover, rare words weighing more", () => {
    const index = indexOf(
      { id: 'a', imageText: 'THE PINEAPPLE WIZARD' },
      { id: 'b', imageText: 'the wizard hat' },
      { id: 'c', imageText: 'the pineapple' },
      { id: 'd', imageText: 'the end' },
    );
    const [best, ...rest] = index.search('the pineapple wizard', { limit: 10 });
    assert.deepEqual(best, { ...best, id: 'a', matchedWords: ['PINEAPPLE', 'THE', 'WIZARD'], coverage: 1 });
    const coverage = Object.fromEntries(rest.map((hit) => [hit.id, hit.coverage]));
    assert.ok(coverage.d! < 0.1, `"the", which every image holds, covers little: ${coverage.d}`);
    assert.ok(coverage.b! > 0.5 && coverage.b! < 1 && coverage.c === coverage.b, JSON.stringify(coverage));
  });

  test('forgives one misread letter in a longer word', () => {
    const index = indexOf({ id: 'a', imageText: 'NOBODY EXPECTS THE HEL1COPTER' });
    assert.deepEqual(ids(index, 'helicopter'), ['a']);
  });

  test('a word some image holds exactly matches only exactly: no prefixes, no near misses', () => {
    const index = indexOf(
      { id: 'cat', imageText: 'MY CAT' },
      { id: 'category', fileName: 'category.png' },
      { id: 'coat', messageText: 'a warm coat' },
    );
    assert.deepEqual(ids(index, 'cat'), ['cat']);
    assert.deepEqual(ids(index, 'categ'), ['category'], 'a word nothing holds is looked for as a prefix');
  });

  test('only images the filter accepts decide whether a word is held exactly', () => {
    const index = indexOf({ id: 'hidden', imageText: 'PINEAPPLE' }, { id: 'visible', imageText: 'PINEAPPLES' });
    assert.deepEqual(
      ids(index, 'pineapple', (id) => id === 'visible'),
      ['visible'],
    );
  });

  test('a word the recogniser broke in two is still found whole', () => {
    const index = indexOf({ id: 'a', imageText: 'NOBODY ASKED BUT GOR ILLA\nTHE END' }, { id: 'b', imageText: 'GOR' });
    const [hit, ...rest] = index.search('gorilla', { limit: 5 });
    assert.deepEqual([hit?.id, hit?.matchedWords, hit?.coverage, rest], ['a', ['GOR', 'ILLA'], 1, []]);
    assert.deepEqual(ids(indexOf({ id: 'c', imageText: "DON 'T PANIC" }), "don't"), ['c']);
  });

  test('case, accents, punctuation and apostrophes do not stand in the way', () => {
    const index = indexOf(
      { id: 'cafe', imageText: 'CAFÉ!' },
      { id: 'dont', imageText: "DON'T PANIC" },
      { id: 'naive', messageText: 'so naïve...' },
    );
    assert.deepEqual(ids(index, 'cafe'), ['cafe']);
    assert.deepEqual(ids(index, 'Café?'), ['cafe']);
    assert.deepEqual(ids(index, 'dont'), ['dont']);
    assert.deepEqual(ids(index, "don't"), ['dont']);
    assert.deepEqual(ids(index, 'NAIVE'), ['naive']);
  });

  test("a file name's extension is not one of its words", () => {
    const index = indexOf({ id: 'a', fileName: 'walrus.png' }, { id: 'b', fileName: 'png-logo.jpg' });
    assert.deepEqual(ids(index, 'png'), ['b']);
    assert.deepEqual(ids(index, 'walrus'), ['a']);
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

  test('spellings that are one word find each other both ways, in every field, shown as the image wrote them', () => {
    const index = indexOf(
      { id: 'street', imageText: 'WELCOME TO THE HAUPTSTRAẞE' },
      { id: 'cafe', messageText: 'lunch at the Café' },
      { id: 'wide', fileName: 'ＡＢＣ-poster.png' },
      { id: 'ligature', description: 'a ﬁsh on a bicycle' },
      { id: 'plain', messageText: 'strasse cafe abc fish' },
    );
    const found = (query: string) => index.search(query, { limit: 10 }).map((hit) => [hit.id, hit.matchedWords]);
    assert.deepEqual(found('hauptstrasse'), [['street', ['HAUPTSTRAẞE']]]);
    assert.deepEqual(found('CAFE').sort(), [
      ['cafe', ['Café']],
      ['plain', ['cafe']],
    ]);
    assert.deepEqual(found('Café').sort(), [
      ['cafe', ['Café']],
      ['plain', ['cafe']],
    ]);
    assert.deepEqual(found('abc').sort(), [
      ['plain', ['abc']],
      ['wide', ['ＡＢＣ']],
    ]);
    assert.deepEqual(found('ＡＢＣ').sort(), [
      ['plain', ['abc']],
      ['wide', ['ＡＢＣ']],
    ]);
    assert.deepEqual(found('fish').sort(), [
      ['ligature', ['ﬁsh']],
      ['plain', ['fish']],
    ]);
  });

  test('a Japanese query finds the image holding it as written, and not a word that differs by a voiced mark', () => {
    const index = indexOf(
      { id: 'school', messageText: 'がっこう に いく' },
      { id: 'cuckoo', messageText: 'かっこう が なく' },
      { id: 'half-width', imageText: 'ｶﾞｯｺｳ' },
    );
    assert.deepEqual(
      index.search('がっこう', { limit: 10 }).map((hit) => [hit.id, hit.matchedWords]),
      [['school', ['がっこう']]],
    );
    assert.deepEqual(ids(index, 'ガッコウ'), ['half-width']);
  });
});
