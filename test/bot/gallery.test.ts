import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { relevanceOf } from '../../src/discord/results/relevance.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  buildStaffWorld,
  componentsOf,
  findAll,
  indexChannel,
  postColours,
  resultLines,
  shownNames,
  shownText,
  until,
  type SmallWorld,
  type StaffWorld,
} from './world.js';

const IS_COMPONENTS_V2 = 1 << 15;
const RED = [220, 30, 30] as const;

describe('a /find gallery page', () => {
  let harness: BotUnderTest;
  let world: StaffWorld;
  /** The message ids of the three copies of one photo. */
  const copies: string[] = [];

  function build(discord: FakeDiscord): void {
    const staff = buildStaffWorld(discord);
    world = staff;
  }

  /** The same file posted once in each of these channels. */
  async function postCopies(channelIds: readonly string[]): Promise<void> {
    const data = await solidColourImage(RED, { width: 24, height: 24 });
    for (const channelId of channelIds) {
      const message = await harness.discord.postMessage(channelId, world.adminId, {
        attachments: [{ filename: 'the-red-one.png', data, contentType: 'image/png' }],
      });
      copies.push(message.id);
      const id = `${message.id}:${message.attachments[0]!.id}`;
      await until(() => harness.engine.library.has(world.guildId, id), 'the copy to be indexed');
    }
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: build });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await postColours(harness, world.channelId, world.memberId, [
      { name: 'orange', rgb: [240, 140, 20] },
      { name: 'blue', rgb: [30, 60, 220] },
      { name: 'green', rgb: [30, 160, 50] },
    ]);
    await postCopies([world.channelId, world.channelId, world.staffChannelId]);
  });
  after(() => harness.stop());

  test('is one Components V2 container: a title, a gallery of the images in rank order, and one numbered line per image', async () => {
    const reply = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    assert.equal(reply.ephemeral, true);
    assert.equal(reply.flags & IS_COMPONENTS_V2, IS_COMPONENTS_V2);
    const container = (reply.components as Array<{ type: number }>)[0]!;
    assert.equal(container.type, 17, 'a container holds the page');
    assert.match(shownText(reply), /^### Results for "red"\n-# page 1 of 1 · 4 results/);
    const names = shownNames(reply);
    assert.equal(names[0], 'the-red-one.png');
    assert.deepEqual(new Set(names), new Set(['the-red-one.png', 'orange.png', 'blue.png', 'green.png']));
    const lines = resultLines(reply);
    assert.equal(lines.length, names.length, 'a line for every image');
    lines.forEach((line, i) => {
      assert.match(line, new RegExp(`^\\*\\*#${i + 1}\\*\\* `));
      assert.match(
        line,
        new RegExp(
          `<@\\d+> in <#${world.channelId}> · <t:\\d+:d> · \\[Jump\\]\\(https://discord\\.com/channels/${world.guildId}/${world.channelId}/\\d+\\)$`,
        ),
      );
    });
    const descriptions = componentsOf(reply)
      .filter((c) => c.type === 12)
      .flatMap((gallery) => gallery.items ?? [])
      .map((item) => item.description);
    assert.deepEqual(
      descriptions.map((text) => /^#(\d+) · /.exec(text ?? '')?.[1]),
      names.map((_, i) => String(i + 1)),
      'each thumbnail carries its number',
    );
  });

  test('says how well each image matches in words, with the score small beside it', async () => {
    const lines = resultLines(await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red'));
    for (const line of lines) {
      const [, word, score] = /^\*\*#\d+\*\* (close|good|loose) match \((\d\.\d\d)\)/.exec(line) ?? [];
      assert.ok(word !== undefined && score !== undefined, line);
      assert.equal(word, relevanceOf(Number(score), 'text'), `${line}: the word follows the score`);
    }
  });

  test('the same file posted several times is one result saying how often, with a link to each copy the member can read', async () => {
    const staffer = await findAll(harness, { channelId: world.channelId, userId: world.stafferId }, 'red');
    const stafferText = shownText(staffer);
    assert.equal(shownNames(staffer).filter((name) => name === 'the-red-one.png').length, 1);
    assert.match(stafferText, /posted 3 times: \[1\]\(\S+\) \[2\]\(\S+\) \[3\]\(\S+\)/);
    for (const id of copies) assert.ok(stafferText.includes(`/${id})`), `links copy ${id}`);

    const member = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const memberText = shownText(member);
    assert.match(memberText, /posted 2 times: \[1\]\(\S+\) \[2\]\(\S+\)( ·|\n|$)/);
    assert.ok(!memberText.includes(world.staffChannelId) && !memberText.includes(copies[2]!), 'nothing of the copy in the staff channel');
  });

  test('under the page, More like and Show menus offer each result by its number', async () => {
    const reply = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const menus = componentsOf(reply).filter((c) => c.type === 3);
    assert.deepEqual(
      menus.map((menu) => menu.placeholder),
      ['More like…', 'Show…'],
    );
    const count = shownNames(reply).length;
    assert.deepEqual(
      menus[0]!.options!.map((option) => option.label),
      Array.from({ length: count }, (_, i) => `More like #${i + 1}`),
    );
    assert.deepEqual(
      menus[1]!.options!.map((option) => option.label),
      Array.from({ length: count }, (_, i) => `Show #${i + 1}`),
    );
  });
});

describe('relevance words', () => {
  test('a text query: close from 0.30, good from 0.22, loose below', () => {
    assert.deepEqual(
      [0.34, 0.3, 0.25, 0.22, 0.19].map((score) => relevanceOf(score, 'text')),
      ['close', 'close', 'good', 'good', 'loose'],
    );
  });

  test('an image query: close from 0.85, good from 0.70, loose below', () => {
    assert.deepEqual(
      [0.97, 0.85, 0.75, 0.7, 0.5].map((score) => relevanceOf(score, 'image')),
      ['close', 'close', 'good', 'good', 'loose'],
    );
  });
});

describe('a gallery page whose every result was posted many times', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    // Ten reds, each posted four times (four copies in one message).
    for (let n = 0; n < 10; n++) {
      const data = await solidColourImage([200 + n, 30, 30], { width: 16, height: 16 });
      const message = await harness.discord.postMessage(world.channelId, world.memberId, {
        attachments: Array.from({ length: 4 }, (_, copy) => ({ filename: `red-${n}-${copy}.png`, data, contentType: 'image/png' })),
      });
      const ids = message.attachments.map((attachment) => `${message.id}:${attachment.id}`);
      await until(() => ids.every((id) => harness.engine.library.has(world.guildId, id)), 'the copies to be indexed');
    }
  });
  after(() => harness.stop());

  test("stays within Discord's 4000 characters of text: the notes give way from the last result up", async () => {
    const reply = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    assert.equal(resultLines(reply).length, 10, 'every result keeps its line');
    const text = shownText(reply);
    assert.ok(text.length <= 4000, `${text.length} characters`);
    const notes = text.split('\n').filter((line) => line.startsWith('-# posted'));
    assert.ok(notes.length >= 1 && notes.length < 10, `${notes.length} results kept their notes`);
    assert.match(text.split('\n')[3]!, /^-# posted 4 times/, 'the first result keeps its note');
  });
});
