import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GuildState } from '../../src/discord/guildState/guildState.js';
import { ImageStore } from '../../src/store/imageStore.js';

const GUILD = '100000000000000001';
const CHANNEL = '100000000000000002';

describe('per-guild state: a store written by earlier versions', () => {
  let dir: string;
  let store: ImageStore;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'guild-state-'));
    store = await ImageStore.open(`sqlite://${path.join(dir, 'index.sqlite')}`);
    // Exactly the keys and shapes earlier versions wrote.
    await store.setSettings(GUILD, { indexedChannels: [CHANNEL] });
    await store.setCursor(GUILD, `live:${CHANNEL}`, '123456789012345678');
    await store.setCursor(GUILD, `unreadable:${CHANNEL}`, 'Read Message History');
    await store.setCursor(GUILD, `recheck:${CHANNEL}`, { after: null, passStartedAt: 5, pendingSince: 1 });
    await store.setCursor(GUILD, 'reindex:channels', [CHANNEL]);
    await store.setCursor(GUILD, `reindex:${CHANNEL}`, { guildId: GUILD, channelId: CHANNEL, status: 'done', scanned: 40 });
    await store.setCursor(GUILD, 'failures', 3);
    await store.setCursor(GUILD, 'last-failure', { id: 'a:b', channelId: CHANNEL, messageId: 'a', reason: 'not an image', at: 1 });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('indexed channels load, and the preferences it never stored are their defaults', async () => {
    const state = new GuildState(store);
    assert.deepEqual([...(await state.settings.indexedChannels(GUILD))], [CHANNEL]);
    assert.deepEqual(await state.settings.preferences(GUILD), { resultsPerPage: 10, sharing: false, wordsInImages: false });
    assert.equal(await state.settings.hasOptedOut(GUILD, '1'), false);
  });

  test('live cursors, unreadable reports, re-check and reindex states and failures load under their old keys', async () => {
    const state = new GuildState(store);
    assert.equal(await state.liveCursors.get(GUILD, CHANNEL), '123456789012345678');
    assert.equal(await state.unreadableReports.get(GUILD, CHANNEL), 'Read Message History');
    assert.deepEqual([...(await state.rechecks.all(GUILD)).keys()], [CHANNEL]);
    // The old list of walks (`reindex:channels`) is not taken for a walk.
    assert.deepEqual([...(await state.reindexWalks.all(GUILD)).keys()], [CHANNEL]);
    assert.deepEqual(await state.failures(GUILD), {
      count: 3,
      last: { id: 'a:b', channelId: CHANNEL, messageId: 'a', reason: 'not an image', at: 1 },
    });
  });

  test('a changed preference is stored beside the indexed channels, and a stored value out of range reads as the default', async () => {
    await new GuildState(store).settings.setPreferences(GUILD, { sharing: true });
    assert.deepEqual(await new GuildState(store).settings.preferences(GUILD), { resultsPerPage: 10, sharing: true, wordsInImages: false });
    assert.deepEqual(await new GuildState(store).settings.indexedChannels(GUILD), new Set([CHANNEL]));
    await store.setSettings(GUILD, { indexedChannels: [CHANNEL], preferences: { resultsPerPage: 99, sharing: 'yes' } });
    assert.deepEqual(await new GuildState(store).settings.preferences(GUILD), { resultsPerPage: 10, sharing: false, wordsInImages: false });
  });
});
