import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayIntentBits, PermissionFlagsBits as P, type Client, type GuildBasedChannel, type GuildMember } from 'discord.js';
import { audienceContains, MemberAccess } from '../../src/discord/access/memberAccess.js';
import { startFakeDiscordWithClient, type FakeDiscord, type FakeDiscordWithClient } from '../fake-discord/index.js';

/**
 * The access module against the fake Discord's permission model, through real discord.js
 * objects (members fetched by REST, channels from the gateway), without the bot around it.
 * The client has the bot's intents: no Server Members, so no word of others' thread changes.
 */

interface AccessWorld {
  guildId: string;
  otherGuildChannel: string;
  /** More private threads of #open than one search asks about; `threadMember` is in the last. */
  manyThreads: string[];
  users: Record<'owner' | 'plain' | 'staff' | 'muted' | 'threadMember' | 'threadManager', string>;
  channels: Record<
    | 'open'
    | 'openToo'
    | 'staffOnly'
    | 'mutedDenied'
    | 'nsfw'
    | 'noHistory'
    | 'botCannotRead'
    | 'publicThread'
    | 'privateThread'
    | 'staffThread'
    | 'historyDeniedToRole',
    string
  >;
}

/** More than a search asks Discord about (50). */
const MANY_THREADS = 60;

function build(discord: FakeDiscord): AccessWorld {
  const user = (name: string) => discord.createUser({ username: name }).id;
  const owner = user('owner');
  const guild = discord.createGuild({ name: 'access', ownerId: owner });
  const staffRole = discord.createRole(guild.id, { name: 'Staff', permissions: 0n }).id;
  const mutedRole = discord.createRole(guild.id, { name: 'Muted', permissions: 0n }).id;
  const managers = discord.createRole(guild.id, { name: 'Thread managers', permissions: P.ManageThreads }).id;
  const users = {
    owner,
    plain: user('plain'),
    staff: user('staff'),
    muted: user('muted'),
    threadMember: user('in-thread'),
    threadManager: user('manager'),
  };
  discord.addMember(guild.id, users.plain);
  discord.addMember(guild.id, users.staff, { roles: [staffRole] });
  discord.addMember(guild.id, users.muted, { roles: [mutedRole] });
  discord.addMember(guild.id, users.threadMember);
  discord.addMember(guild.id, users.threadManager, { roles: [managers] });
  const everyone = guild.id;
  const channel = (name: string, spec: Omit<Parameters<FakeDiscord['createChannel']>[1], 'name'> = {}) =>
    discord.createChannel(guild.id, { name, ...spec }).id;
  const open = channel('open');
  const staffOnly = channel('staff-only', {
    permissionOverwrites: [
      { id: everyone, type: 'role', deny: P.ViewChannel },
      { id: staffRole, type: 'role', allow: P.ViewChannel },
      { id: discord.botUser.id, type: 'member', allow: P.ViewChannel },
    ],
  });
  const channels = {
    open,
    openToo: channel('open-too'),
    staffOnly,
    mutedDenied: channel('muted-denied', { permissionOverwrites: [{ id: mutedRole, type: 'role', deny: P.ViewChannel }] }),
    nsfw: channel('after-dark', { nsfw: true }),
    noHistory: channel('no-history', { permissionOverwrites: [{ id: everyone, type: 'role', deny: P.ReadMessageHistory }] }),
    botCannotRead: channel('bot-cannot-read', {
      permissionOverwrites: [{ id: discord.botUser.id, type: 'member', deny: P.ReadMessageHistory }],
    }),
    historyDeniedToRole: channel('history-denied-to-muted', {
      permissionOverwrites: [{ id: mutedRole, type: 'role', deny: P.ReadMessageHistory }],
    }),
    publicThread: discord.createThread(open, { name: 'public' }).id,
    privateThread: discord.createThread(open, { name: 'private', private: true, members: [users.threadMember, discord.botUser.id] }).id,
    staffThread: discord.createThread(staffOnly, { name: 'staff talk' }).id,
  };
  const elsewhere = discord.createGuild({ name: 'elsewhere', ownerId: owner });
  const otherGuildChannel = discord.createChannel(elsewhere.id, { name: 'other-server' }).id;
  const manyThreads = Array.from(
    { length: MANY_THREADS },
    (_, i) =>
      discord.createThread(open, {
        name: `private ${i}`,
        private: true,
        members: i === MANY_THREADS - 1 ? [users.threadMember, discord.botUser.id] : [discord.botUser.id],
      }).id,
  );
  return { guildId: guild.id, otherGuildChannel, manyThreads, users, channels };
}

describe('MemberAccess decides what a member may see', () => {
  let started: FakeDiscordWithClient;
  let client: Client<true>;
  let world: AccessWorld;
  /** Every channel of the world but the public thread is indexed (that one through its parent). */
  const indexed = {
    indexedChannels: async () => new Set(Object.values(world.channels).filter((id) => id !== world.channels.publicThread)),
  };
  const access = new MemberAccess(indexed, { membershipCacheMs: 0 });
  const everywhere = { nsfwAllowed: false };

  const member = (userId: string): Promise<GuildMember> =>
    client.guilds.cache.get(world.guildId)!.members.fetch({ user: userId, force: true });
  const readable = async (userId: string, showing = everywhere): Promise<Set<string>> => {
    const ids = await access.readableChannels(await member(userId), Object.values(world.channels), showing);
    const name = new Map(Object.entries(world.channels).map(([key, id]) => [id, key]));
    return new Set([...ids].map((id) => name.get(id)!));
  };
  const threadMemberReads = () =>
    started.discord.requests.filter((request) => request.method === 'GET' && /\/thread-members\//.test(request.path)).length;

  before(async () => {
    started = await startFakeDiscordWithClient({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
      setup: (discord) => {
        world = build(discord);
      },
    });
    client = started.client;
  });
  after(() => started.stop());

  test('a plain member reads open channels and their public threads, nothing hidden, nothing without history', async () => {
    assert.deepEqual(await readable(world.users.plain), new Set(['open', 'openToo', 'mutedDenied', 'historyDeniedToRole', 'publicThread']));
  });

  test('role overwrites give and take: staff read their channel and its thread, the muted lose theirs', async () => {
    assert.ok((await readable(world.users.staff)).has('staffOnly'));
    assert.ok((await readable(world.users.staff)).has('staffThread'));
    const muted = await readable(world.users.muted);
    assert.ok(!muted.has('mutedDenied'));
    assert.ok(!muted.has('historyDeniedToRole'));
  });

  test('age-restricted images only where age-restricted images may be shown', async () => {
    assert.ok(!(await readable(world.users.plain)).has('nsfw'));
    assert.ok((await readable(world.users.plain, { nsfwAllowed: true })).has('nsfw'));
  });

  test("a channel the bot itself cannot read is nobody's to see, not even the owner's", async () => {
    assert.ok(!(await readable(world.users.owner)).has('botCannotRead'));
    assert.ok((await readable(world.users.owner)).has('staffOnly'), 'the owner reads everything else');
  });

  test('a private thread: its members and thread managers, asked of Discord each time', async () => {
    assert.ok((await readable(world.users.threadMember)).has('privateThread'));
    assert.ok((await readable(world.users.threadManager)).has('privateThread'));
    assert.ok(!(await readable(world.users.plain)).has('privateThread'));
  });

  test('removed from a private thread, a member no longer reads it, though no event told the bot', async () => {
    const joined = await member(world.users.threadMember);
    assert.ok((await access.readableChannels(joined, [world.channels.privateThread], everywhere)).has(world.channels.privateThread));
    const thread = client.channels.cache.get(world.channels.privateThread);
    assert.ok(thread?.isThread());
    await thread.members.fetch({ member: world.users.threadMember }); // discord.js now lists the member, as after any earlier lookup

    started.discord.removeThreadMember(world.channels.privateThread, world.users.threadMember);
    assert.equal((await access.readableChannels(joined, [world.channels.privateThread], everywhere)).size, 0);
    assert.ok(thread.members.cache.has(world.users.threadMember), 'no event reached the client: its cache still says member');
    started.discord.addThreadMember(world.channels.privateThread, world.users.threadMember);
    assert.ok((await access.readableChannels(joined, [world.channels.privateThread], everywhere)).has(world.channels.privateThread));
  });

  test("another server's channel id reads as nothing here", async () => {
    const owner = await member(world.users.owner);
    assert.equal((await access.readableChannels(owner, [world.otherGuildChannel], everywhere)).size, 0);
  });

  test("only indexed channels and threads of indexed channels are anyone's to see", async () => {
    const owner = await member(world.users.owner);
    const some = new MemberAccess({ indexedChannels: async () => new Set([world.channels.open]) }, { membershipCacheMs: 0 });
    const ids = await some.readableChannels(owner, Object.values(world.channels), everywhere);
    assert.deepEqual(ids, new Set([world.channels.open, world.channels.publicThread, world.channels.privateThread]));
  });

  test('a search asks Discord about every candidate private thread before anything is ranked, whatever the query', async () => {
    const plain = await member(world.users.plain);
    const asked = threadMemberReads();
    const channels = await access.searchableChannels(plain, Object.values(world.channels), everywhere);
    assert.equal(threadMemberReads() - asked, 1, 'the one private thread a plain member might be in was asked about');
    assert.ok(!channels.has(world.channels.privateThread));
    assert.ok(channels.has(world.channels.open));
  });

  test("Discord's answer about a thread's membership is trusted for the bound, then asked again", async () => {
    const trusting = new MemberAccess(indexed, { membershipCacheMs: 60_000 });
    const joined = await member(world.users.threadMember);
    const thread = [world.channels.privateThread];
    assert.ok((await trusting.searchableChannels(joined, thread, everywhere)).has(world.channels.privateThread));
    const asked = threadMemberReads();
    assert.ok((await trusting.readableChannels(joined, thread, everywhere)).has(world.channels.privateThread));
    assert.equal(threadMemberReads(), asked, 'answered from what Discord said a moment ago');
    started.discord.removeThreadMember(world.channels.privateThread, world.users.threadMember);
    try {
      assert.ok(
        (await trusting.readableChannels(joined, thread, everywhere)).has(world.channels.privateThread),
        'within the bound, the answer stands',
      );
      const brief = new MemberAccess(indexed, { membershipCacheMs: 200 });
      assert.equal((await brief.readableChannels(joined, thread, everywhere)).size, 0, 'asked: no longer a member');
      started.discord.addThreadMember(world.channels.privateThread, world.users.threadMember);
      await sleep(250);
      assert.ok(
        (await brief.readableChannels(joined, thread, everywhere)).has(world.channels.privateThread),
        'past the bound, asked again',
      );
    } finally {
      if (!started.discord.state.channel(world.channels.privateThread).thread!.members.has(world.users.threadMember)) {
        started.discord.addThreadMember(world.channels.privateThread, world.users.threadMember);
      }
    }
  });

  test('a search asks Discord at most 50 questions; answers are kept, so the next search asks about the rest', async () => {
    const trusting = new MemberAccess(indexed, { membershipCacheMs: 60_000 });
    const joined = await member(world.users.threadMember);
    const asked = threadMemberReads();
    const first = await trusting.searchableChannels(joined, world.manyThreads, everywhere);
    assert.equal(threadMemberReads() - asked, 50);
    assert.equal(first.size, 0, 'the thread they are in was past the bound');
    const second = await trusting.searchableChannels(joined, world.manyThreads, everywhere);
    assert.equal(threadMemberReads() - asked, MANY_THREADS, 'the rest were asked about');
    assert.deepEqual(second, new Set([world.manyThreads.at(-1)]));
  });

  describe('audienceContains: may everyone who reads one channel read another?', () => {
    const channel = (key: keyof AccessWorld['channels']): GuildBasedChannel =>
      client.channels.cache.get(world.channels[key]) as GuildBasedChannel;

    test('the same channel', () => assert.equal(audienceContains(channel('staffOnly'), channel('staffOnly')), true));

    test('a channel and its public thread, both ways', () => {
      assert.equal(audienceContains(channel('open'), channel('publicThread')), true);
      assert.equal(audienceContains(channel('publicThread'), channel('open')), true);
      assert.equal(audienceContains(channel('staffOnly'), channel('staffThread')), true);
    });

    test('a private thread: its readers read the parent, but not the other way', () => {
      assert.equal(audienceContains(channel('privateThread'), channel('open')), true);
      assert.equal(audienceContains(channel('open'), channel('privateThread')), false);
    });

    test('any channel to one every member may read', () => {
      assert.equal(audienceContains(channel('staffOnly'), channel('openToo')), true);
      assert.equal(audienceContains(channel('open'), channel('openToo')), true);
    });

    test('not to a channel restricted by role, by denied history, or to some roles only', () => {
      assert.equal(audienceContains(channel('open'), channel('staffOnly')), false);
      assert.equal(audienceContains(channel('open'), channel('staffThread')), false);
      assert.equal(audienceContains(channel('open'), channel('noHistory')), false);
      assert.equal(audienceContains(channel('open'), channel('mutedDenied')), false);
      assert.equal(audienceContains(channel('open'), channel('historyDeniedToRole')), false);
    });

    test('age-restricted: only from another age-restricted channel', () => {
      assert.equal(audienceContains(channel('open'), channel('nsfw')), false);
      assert.equal(audienceContains(channel('nsfw'), channel('open')), true);
    });

    test('never across servers', () => {
      const other = client.channels.cache.get(world.otherGuildChannel) as GuildBasedChannel;
      assert.equal(audienceContains(other, channel('openToo')), false);
      assert.equal(audienceContains(channel('openToo'), other), false);
    });
  });
});
