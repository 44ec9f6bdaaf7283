import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseWord, termsOf, wordsAsWritten } from '../../src/search/wordNormalisation.js';

describe('word normalisation', () => {
  test('words are runs of letters, marks and digits in any script, as written; a file name has no extension word', () => {
    assert.deepEqual(wordsAsWritten('Pineapple_wizard-2.PNG Ünïcode 中文 it’s'), [
      'Pineapple',
      'wizard',
      '2',
      'PNG',
      'Ünïcode',
      '中文',
      'it’s',
    ]);
    assert.deepEqual(wordsAsWritten('Pineapple_wizard-2.PNG', 'fileName'), ['Pineapple', 'wizard', '2']);
  });

  test('case and accents are dropped, whether the accent is one character with its letter or follows it', () => {
    assert.deepEqual(termsOf('CAFÉ Café cafe\u0301 naïve ÀÉÎÕÜ'), ['cafe', 'cafe', 'cafe', 'naive', 'aeiou']);
  });

  test('ß and ẞ are ss, so Straße is strasse', () => {
    assert.deepEqual(termsOf('Straße STRAẞE strasse'), ['strasse', 'strasse', 'strasse']);
  });

  test('full-width letters and digits are plain ones', () => {
    assert.deepEqual(termsOf('ＡＢＣ ｄｅｆ １２３'), ['abc', 'def', '123']);
  });

  test('ligatures and other compatibility forms are the letters they stand for', () => {
    assert.deepEqual(termsOf('ﬁsh ﬂag ﬀ ② ⅻ ſun'), ['fish', 'flag', 'ff', '2', 'xii', 'sun']);
    assert.deepEqual(termsOf('½'), ['1', '2'], 'a form that stands for two numbers is two terms');
  });

  test('letters that carry their accent inside, and Greek final sigma, fold to their plain spelling', () => {
    assert.deepEqual(termsOf('Øresund Łódź Đakovo Æsir œuvre İstanbul ıi ΟΔΟΣ οδός'), [
      'oresund',
      'lodz',
      'dakovo',
      'aesir',
      'oeuvre',
      'istanbul',
      'ii',
      'οδοσ',
      'οδοσ',
    ]);
  });

  test('an apostrophe inside a word joins it, whichever apostrophe it is', () => {
    assert.deepEqual(termsOf("don't don’t donʼt don＇t 'quoted'"), ['dont', 'dont', 'dont', 'dont', 'quoted']);
  });

  test('a Japanese word stays intact: voiced marks are kept, half-width kana become full-width', () => {
    assert.deepEqual(termsOf('がっこう'), ['がっこう']);
    assert.notDeepEqual(termsOf('がっこう'), termsOf('かっこう'), 'school is not cuckoo');
    assert.deepEqual(termsOf('ｶﾞｯｺｳ'), ['ガッコウ']);
    assert.deepEqual(termsOf('猫が好きです'), ['猫が好きです']);
  });

  test('marks of other scripts stay with their letters instead of splitting the word', () => {
    assert.deepEqual(termsOf('किताब'), ['किताब']);
  });

  test('normalising a term again gives it back, for every character alone and beside a letter', () => {
    const unstable: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      for (const term of [...termsOf(char), ...termsOf(`a${char}`)]) {
        const again = normaliseWord(term);
        if (again.length !== 1 || again[0] !== term) unstable.push(`U+${code.toString(16)}: ${term} → ${again.join(' ')}`);
      }
    }
    assert.deepEqual(unstable.slice(0, 10), []);
  });
});
