import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  buttonId,
  findAll,
  indexChannel,
  lastRequestSeq,
  postColours,
  privateText,
  shownChannels,
  type SmallWorld,
} from './world.js';

const RED = [220, 30, 30] as const;
const BLUE = [30, 60, 220] as const;
const CONTROLS_PER_MINUTE = 4;

/**
 * What a search and its controls cost in questions to Discord: bounded, the same whatever is
 * asked (so how long a search takes tells nothing of a private thread the searcher is not in),
 * and limited per member.
 */
interface CostWorld extends SmallWorld {
  /** A private thread of the indexed channel holding red images; `insiderId` is in it. */
  threadId: string;
  insiderId: string;
  /** Members who have not searched yet (each test takes its own, so no earlier answer is remembered for them). */
  freshIds: string[];
}

function build(discord: FakeDiscord): CostWorld {
  const small = buildSmallWorld(discord);
  const insiderId = discord.createUser({ username: 'insider' }).id;
  discord.addMember(small.guildId, insiderId);
  const freshIds = Array.from({ length: 4 }, (_, i) => discord.createUser({ username: `fresh-${i}` }).id);
  for (const id of freshIds) discord.addMember(small.guildId, id);
  const threadId = discord.createThread(small.channelId, { name: 'insiders', private: true, members: [insiderId, discord.botUser.id] }).id;
  return { ...small, threadId, insiderId, freshIds };
}

describe('the cost of a search and its controls', () => {
  let harness: BotUnderTest;
  let world: CostWorld;

  const membershipQuestions = (sinceSeq: number) =>
    harness.discord.requests.filter(
      (request) =>
        request.seq > sinceSeq && request.method === 'GET' && request.path.includes(`/channels/${world.threadId}/thread-members/`),
    ).length;
  /** `/find` as `userId`, and how many membership questions the bot asked Discord for it. */
  const searchCountingQuestions = async (userId: string, query: string, count = 25) => {
    const since = lastRequestSeq(harness.discord);
    const reply = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'find', options: { query, count } });
    return { reply, questions: membershipQuestions(since) };
  };

  before(async () => {
    harness = await startBotUnderTest({
      setup: (discord) => (world = build(discord)),
      env: { CONTROLS_PER_MINUTE: String(CONTROLS_PER_MINUTE) },
    });
    await indexChannel(harness, world);
    await postColours(
      harness,
      world.threadId,
      world.insiderId,
      Array.from({ length: 3 }, (_, i) => ({ name: `thread-red-${i}`, rgb: RED })),
    );
    await postColours(
      harness,
      world.channelId,
      world.memberId,
      Array.from({ length: 12 }, (_, i) => ({ name: `open-blue-${i}`, rgb: BLUE })),
    );
  });
  after(() => harness.stop());

  test('a search asks about a private thread among its candidates whether or not the thread holds a match', async () => {
    const [first, second] = world.freshIds;
    // One result each: a search that ranks only a few images never reaches the thread's when it asks for blue.
    const matching = await searchCountingQuestions(first!, 'red', 1);
    const other = await searchCountingQuestions(second!, 'blue', 1);
    assert.ok(!shownChannels(matching.reply).includes(world.threadId), 'an outsider sees nothing of the thread');
    assert.equal(matching.questions, 1);
    assert.equal(other.questions, matching.questions, 'the same questions, whatever the query');
  });

  test("Discord's answer about a thread is trusted for a while: turning pages asks nothing again", async () => {
    const { reply, questions } = await searchCountingQuestions(world.insiderId, 'red');
    assert.equal(questions, 1);
    assert.ok(shownChannels(reply).includes(world.threadId), 'precondition: the insider sees the thread images');
    const since = lastRequestSeq(harness.discord);
    const next = await harness.discord.pressButton({
      userId: world.insiderId,
      messageId: reply.original!.id,
      customId: buttonId(reply, 'Next'),
    });
    await harness.discord.pressButton({ userId: world.insiderId, messageId: reply.original!.id, customId: buttonId(next, 'Previous') });
    await findAll(harness, { channelId: world.channelId, userId: world.insiderId }, 'blue');
    assert.equal(membershipQuestions(since), 0);
  });

  test('a member pressing controls faster than the limit is asked, privately, to wait, and the page stays as it was', async () => {
    const userId = world.freshIds[2]!;
    const reply = await findAll(harness, { channelId: world.channelId, userId }, 'blue');
    const page = () => harness.discord.botMessages.find((message) => message.id === reply.original!.id)!.versions.length;
    let current = reply;
    for (let press = 0; press < CONTROLS_PER_MINUTE; press++) {
      const label = press % 2 === 0 ? 'Next' : 'Previous';
      current = await harness.discord.pressButton({ userId, messageId: reply.original!.id, customId: buttonId(current, label) });
    }
    const before = page();
    const refused = await harness.discord.pressButton({ userId, messageId: reply.original!.id, customId: buttonId(current, 'Next') });
    assert.match(privateText(refused), /You're pressing very fast\. Please wait \d+ seconds? and try again\./);
    assert.equal(page(), before, 'the page was not changed');
    const other = await findAll(harness, { channelId: world.channelId, userId: world.freshIds[3]! }, 'blue');
    const theirs = await harness.discord.pressButton({
      userId: world.freshIds[3]!,
      messageId: other.original!.id,
      customId: buttonId(other, 'Next'),
    });
    assert.doesNotMatch(JSON.stringify(theirs.followups), /pressing very fast/, 'the limit is per member');
  });
});
