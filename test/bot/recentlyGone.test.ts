import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageOrigin } from '../../src/library/imageLibrary.js';
import { MOST_REMEMBERED, RecentlyGone, REMEMBERED_MS } from '../../src/discord/indexing/recentlyGone.js';

const GUILD = '100';

function image(messageId: string, channelId = '200', collection = GUILD): ImageOrigin {
  return { collection, id: `${messageId}:1`, channelId, messageId, attachmentId: '1', authorId: '300', createdAt: 0, source: '' };
}

/** Tombstones on a clock the test moves, with an ingest queue whose oldest image the test sets. */
function tombstones() {
  const clock = { now: 1_000_000, oldestQueuedAt: undefined as number | undefined };
  const gone = new RecentlyGone({ oldestQueuedAt: () => clock.oldestQueuedAt, now: () => clock.now });
  return { gone, clock };
}

describe('the tombstones of what was deleted lately', () => {
  test("mark the images of a deleted message, channel or thread, or of a server the bot left, and no one else's", () => {
    const { gone } = tombstones();
    gone.messagesDeleted(GUILD, ['1']);
    gone.channelsDeleted(GUILD, ['201', '202']);
    gone.guildLeft('999');
    assert.equal(gone.has(image('1')), true, 'the deleted message');
    assert.equal(gone.has(image('2', '202')), true, "a thread deleted with its channel's");
    assert.equal(gone.has(image('3', '200', '999')), true, 'the server left');
    assert.equal(gone.has(image('2')), false, 'another message');
    assert.equal(gone.has(image('1', '200', '101')), false, 'the same ids in another server');
  });

  test('a tombstone is dropped ten minutes after the deletion when no image queued in those minutes is still on its way in', () => {
    const { gone, clock } = tombstones();
    gone.messagesDeleted(GUILD, ['1']);
    clock.now += REMEMBERED_MS - 1;
    gone.messagesDeleted(GUILD, ['2']);
    assert.equal(gone.has(image('1')), true, 'kept for ten minutes');
    clock.now += 1;
    gone.messagesDeleted(GUILD, ['3']);
    assert.equal(gone.has(image('1')), false);
    assert.equal(gone.has(image('2')), true);
  });

  test('a tombstone is kept past its ten minutes while an image queued in them is still on its way in', () => {
    const { gone, clock } = tombstones();
    gone.messagesDeleted(GUILD, ['1']);
    clock.oldestQueuedAt = clock.now + REMEMBERED_MS - 1;
    clock.now += 3 * REMEMBERED_MS;
    gone.messagesDeleted(GUILD, ['2']);
    assert.equal(gone.has(image('1')), true, 'kept while that image is on its way in');
    clock.oldestQueuedAt = clock.now - REMEMBERED_MS;
    gone.messagesDeleted(GUILD, ['3']);
    assert.equal(gone.has(image('1')), false, 'dropped once only later images are');
  });

  test('inviting the bot back lifts the tombstone of its server', () => {
    const { gone } = tombstones();
    gone.guildLeft(GUILD);
    gone.guildJoined(GUILD);
    assert.equal(gone.guildIsGone(GUILD), false);
    assert.equal(gone.has(image('1')), false);
  });

  test(`at most ${MOST_REMEMBERED} deletions are remembered, the oldest forgotten first`, () => {
    const { gone } = tombstones();
    gone.messagesDeleted(
      GUILD,
      Array.from({ length: MOST_REMEMBERED + 1 }, (_, i) => String(i + 1)),
    );
    assert.equal(gone.has(image('1')), false, 'the oldest');
    assert.equal(gone.has(image('2')), true);
    assert.equal(gone.has(image(String(MOST_REMEMBERED + 1))), true, 'the newest');
  });
});
