import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageText } from '../../src/discord/messages/catalogue.js';
import { en } from '../../src/discord/messages/en.js';
import { TRANSLATIONS } from '../../src/discord/messages/languages.js';
import { messagesFor } from '../../src/discord/messages/messages.js';

const placeholders = (text: MessageText): string[] => {
  const texts = typeof text === 'string' ? [text] : Object.values(text);
  return [...new Set(texts.flatMap((one) => [...one.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)))].sort();
};

describe('the message catalogues', () => {
  for (const { language, catalogue } of TRANSLATIONS) {
    test(`${language} has every message English has, and nothing else`, () => {
      const missing = Object.keys(en).filter((key) => !(key in catalogue));
      const extra = Object.keys(catalogue).filter((key) => !(key in en));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });

    test(`${language} fills in exactly the placeholders English does`, () => {
      for (const [key, text] of Object.entries(catalogue) as Array<[keyof typeof en, MessageText]>) {
        assert.deepEqual(placeholders(text), placeholders(en[key]), key);
      }
    });

    test(`${language} gives every plural form its language needs`, () => {
      const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const [key, text] of Object.entries(catalogue) as Array<[keyof typeof en, MessageText]>) {
        assert.equal(typeof text, typeof en[key], `${key}: plural forms where English has them, one text where it has one`);
        if (typeof text !== 'string') for (const category of needed) assert.ok(category in text, `${key}: the "${category}" form`);
      }
    });

    test(`${language} command and option names follow Discord's rule (lowercase, no spaces, at most 32 characters)`, () => {
      for (const [key, text] of Object.entries(catalogue)) {
        if (!key.endsWith('.name') || key === 'commands.findSimilarMenu.name') continue;
        assert.ok(typeof text === 'string', `${key}: one text, not plural forms`);
        assert.match(text, /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u, key);
        assert.equal(text, text.toLowerCase(), key);
      }
    });
  }

  test('English plurals follow the count, numbers are grouped as the language groups them', () => {
    const english = messagesFor('en-US');
    assert.equal(english.text('results.postedTimes', { count: 1 }), 'posted 1 time');
    assert.equal(english.text('results.postedTimes', { count: 1200 }), 'posted 1,200 times');
    assert.match(messagesFor('de').text('results.postedTimes', { count: 1200 }), /1\.200/);
  });

  test('an unknown locale speaks English; a regional variant speaks its language', () => {
    assert.equal(messagesFor('xx-YY').language, 'en');
    assert.equal(messagesFor(undefined).language, 'en');
    assert.equal(messagesFor('es-419').language, 'es');
    assert.equal(messagesFor('pt-BR').language, 'pt-BR');
  });
});
