import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cdn } from './cdn.js';
import { DiscordState, type AttachmentRecord } from './state.js';

/** Signed attachment URLs: valid until `ex`, refused when tampered, expired, or their message is gone. */

function setup() {
  const state = new DiscordState();
  let now = 1_700_000_000_000;
  const cdn = new Cdn(
    state,
    () => 'http://127.0.0.1:9',
    10_000,
    () => now,
  );
  const attachment: AttachmentRecord = {
    id: '200',
    channelId: '100',
    messageId: '300',
    filename: 'a.png',
    contentType: 'image/png',
    data: Buffer.from('png'),
    width: null,
    height: null,
    description: null,
    ephemeral: false,
  };
  state.attachments.set(attachment.id, attachment);
  state.attachments.set('201', { ...attachment, id: '201' });
  state.messages.set('300', { id: '300', deleted: false } as never);
  const load = (url: string) => {
    const parsed = new URL(url);
    return cdn.serve(parsed.pathname, parsed.searchParams).status;
  };
  return { cdn, attachment, state, load, advance: (ms: number) => (now += ms) };
}

test('a signed URL loads until its expiry, then answers 404', () => {
  const { cdn, attachment, load, advance } = setup();
  const url = cdn.urlFor(attachment);
  assert.match(url, /\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/);
  assert.equal(load(url), 200);
  advance(9_999);
  assert.equal(load(url), 200);
  advance(1);
  assert.equal(load(url), 404);
  assert.equal(load(cdn.urlFor(attachment)), 200, 'a fresh signature loads again');
});

test('an unsigned URL, a changed expiry or a signature for another file answers 404', () => {
  const { cdn, attachment, load } = setup();
  const url = new URL(cdn.urlFor(attachment));
  assert.equal(load(`${url.origin}${url.pathname}`), 404);
  const later = new URL(url);
  later.searchParams.set('ex', (parseInt(url.searchParams.get('ex')!, 16) + 3600).toString(16));
  assert.equal(load(later.toString()), 404);
  const other = new URL(url);
  other.pathname = '/attachments/100/201/a.png';
  assert.equal(load(other.toString()), 404);
  assert.equal(load(cdn.urlFor({ ...attachment, id: '201' })), 200, 'that file loads with its own signature');
});

test("a deleted message's files stop loading", () => {
  const { cdn, attachment, state, load } = setup();
  const url = cdn.urlFor(attachment);
  (state.messages.get('300') as { deleted: boolean }).deleted = true;
  assert.equal(load(url), 404);
});
