import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeywordLibrary } from '../../src/library/keywordLibrary.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { keywordKeys } from '../../src/store/keywordStoreLayout.js';
import { openKeyv } from '../../src/store/keyvFactory.js';

let dir = '';
let files = 0;
const freshUrl = () => `sqlite://${path.join(dir, `${files++}.sqlite`)}`;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keyword-library-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A keyword library on its own store, loaded as at start; the store is closed after `use`. */
async function withLibrary<T>(url: string, use: (words: KeywordLibrary) => Promise<T>, exists?: (id: string) => boolean): Promise<T> {
  const store = await ImageStore.open(url);
  try {
    const words = new KeywordLibrary(store.keywords);
    await words.load(['g'], exists === undefined ? {} : { exists: (_collection, id) => exists(id) });
    return await use(words);
  } finally {
    await store.close();
  }
}

const found = (words: KeywordLibrary, query: string) => words.search('g', query, { limit: 5 }).map((hit) => hit.id);

/** Journal entries written for collection g so far (each change is one). */
async function journalEntries(url: string): Promise<number> {
  const keyv = await openKeyv(url);
  try {
    let n = 0;
    while (await keyv.has(keywordKeys.journal('g', n))) n++;
    return n;
  } finally {
    await keyv.disconnect();
  }
}

describe('KeywordLibrary', () => {
  test('the words around an image are found after a restart', async () => {
    const url = freshUrl();
    await withLibrary(url, (words) =>
      words.describe('g', 'meme', { messageText: 'look at this capybara', fileName: 'IMG_2041.jpg' }, { imageChanged: true }),
    );
    await withLibrary(url, async (words) => {
      assert.deepEqual(found(words, 'capybara'), ['meme']);
      assert.deepEqual(found(words, 'img_2041'), ['meme']);
    });
  });

  test('what OCR read marks the image read, even when it held no text, and that survives a restart', async () => {
    const url = freshUrl();
    await withLibrary(url, async (words) => {
      await words.setImageText('g', 'meme', 'ONE DOES NOT SIMPLY WALK INTO THE WOMBAT');
      await words.setImageText('g', 'photo', '');
      assert.equal(words.isRead('g', 'unseen'), false);
    });
    await withLibrary(url, async (words) => {
      assert.equal(words.isRead('g', 'meme'), true);
      assert.equal(words.isRead('g', 'photo'), true, 'an image without text is not read again');
      assert.deepEqual(found(words, 'wombat'), ['meme']);
    });
  });

  test('an edit replaces the words around an image and keeps what OCR read in it', async () => {
    const url = freshUrl();
    await withLibrary(url, async (words) => {
      await words.describe('g', 'meme', { messageText: 'first draft', fileName: 'a.png' }, { imageChanged: true });
      await words.setImageText('g', 'meme', 'NOBODY EXPECTS THE WALRUS');
      await words.describe('g', 'meme', { messageText: 'edited to say narwhal', fileName: 'a.png' }, { imageChanged: false });
    });
    await withLibrary(url, async (words) => {
      assert.deepEqual(found(words, 'draft'), []);
      assert.deepEqual(found(words, 'narwhal'), ['meme']);
      assert.deepEqual(found(words, 'walrus'), ['meme']);
    });
  });

  test('new bytes under the same id are to be read again: the old image text goes', async () => {
    await withLibrary(freshUrl(), async (words) => {
      await words.setImageText('g', 'meme', 'WALRUS');
      await words.describe('g', 'meme', { fileName: 'a.png' }, { imageChanged: true });
      assert.equal(words.isRead('g', 'meme'), false);
      assert.deepEqual(found(words, 'walrus'), []);
    });
  });

  test('describing an image with the words it already has writes nothing', async () => {
    const url = freshUrl();
    await withLibrary(url, async (words) => {
      await words.describe('g', 'meme', { messageText: 'hello', fileName: 'a.png', description: '' }, { imageChanged: true });
      await words.setImageText('g', 'meme', '');
      for (let i = 0; i < 3; i++) await words.describe('g', 'meme', { messageText: 'hello', fileName: 'a.png' }, { imageChanged: false });
    });
    assert.equal(await journalEntries(url), 2);
  });

  test('an image with no words at all, and not read, is not kept', async () => {
    await withLibrary(freshUrl(), async (words) => {
      await words.describe('g', 'plain', { messageText: ' … ', fileName: '' }, { imageChanged: true });
      assert.equal(words.has('g', 'plain'), false);
    });
  });

  test('words of images that are no longer indexed are dropped at load, from memory and from the store', async () => {
    const url = freshUrl();
    await withLibrary(url, async (words) => {
      await words.describe('g', 'kept', { messageText: 'pineapple' }, { imageChanged: true });
      await words.describe('g', 'orphan', { messageText: 'pineapple' }, { imageChanged: true });
    });
    await withLibrary(
      url,
      async (words) => assert.deepEqual(found(words, 'pineapple'), ['kept']),
      (id) => id === 'kept',
    );
    await withLibrary(url, async (words) => assert.deepEqual(found(words, 'pineapple'), ['kept']));
  });

  test('the store keeps words as written, never terms: what an earlier version stored is found by the terms of this one', async () => {
    const url = freshUrl();
    // A journal entry as any version writes it: [id, imageText, messageText, fileName, description].
    const keyv = await openKeyv(url);
    await keyv.set(keywordKeys.journal('g', 0), { put: [['street', 'WELCOME TO THE HAUPTSTRAẞE', 'ＡＢＣ café', '', '']] });
    await keyv.disconnect();
    await withLibrary(url, async (words) => {
      assert.deepEqual(
        words.search('g', 'hauptstrasse abc cafe', { limit: 5 }).map((hit) => hit.matchedWords),
        [['ＡＢＣ', 'café', 'HAUPTSTRAẞE']],
      );
      await words.describe('g', 'new', { messageText: 'Straße' }, { imageChanged: true });
    });
    const stored = await openKeyv(url);
    try {
      assert.deepEqual(await stored.get(keywordKeys.journal('g', 1)), { put: [['new', null, 'Straße', '', '']] });
    } finally {
      await stored.disconnect();
    }
  });
});
