import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyv } from 'keyv';
import { appendEntry, deleteValue, findJournalEnd } from '../../src/store/storeJournal.js';
import { ConcurrentWriterError } from '../../src/store/storeErrors.js';
import { emptyManifest } from '../../src/store/storeManifest.js';
import { CollectionState } from '../../src/store/storeState.js';
import { LostAnswerStore } from './helpers/lostAnswerStore.js';

describe('the journal after a write whose answer was lost', () => {
  test('the entry that was stored all the same is recognised as this writer’s own, and the next write goes after it', async () => {
    const store = new LostAnswerStore();
    const keyv = new Keyv({ store, throwOnErrors: true });
    const state = new CollectionState(emptyManifest(), 0);
    store.loseNextAnswer = true;
    await assert.rejects(appendEntry(keyv, 'g', state, deleteValue(['a'])), /answer came/);
    await appendEntry(keyv, 'g', state, deleteValue(['a']));
    await appendEntry(keyv, 'g', state, deleteValue(['b']));
    assert.equal(state.nextSeq, 3);
    assert.equal(await findJournalEnd(keyv, 'g', 0), 3);
  });

  test('an entry that is not the write whose answer was lost is still another writer’s', async () => {
    const store = new LostAnswerStore();
    const keyv = new Keyv({ store, throwOnErrors: true });
    const state = new CollectionState(emptyManifest(), 0);
    store.loseNextAnswer = true;
    await assert.rejects(appendEntry(keyv, 'g', state, deleteValue(['a'])));
    // Someone else wrote the slot meanwhile, with something else.
    await keyv.set('j:g:0', deleteValue(['someone else']));
    await assert.rejects(appendEntry(keyv, 'g', state, deleteValue(['a'])), ConcurrentWriterError);
  });
});
