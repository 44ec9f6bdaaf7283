import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import { DEFAULT_BOT_PERMISSIONS, type FakeDiscord } from '../fake-discord/index.js';
import { TINY_COLOURS } from '../fixtures/models/tinyColours.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { everyPage, findAll, indexChannel, postColours, shownChannels, shownNames } from './world.js';

/**
 * One server with a channel per permission case, each holding one image of its own colour,
 * so the set of file names a member is shown names exactly the channels they can see.
 * The bot is an administrator: it indexes everything, and only the member's rights decide.
 */

const VIEW = P.ViewChannel;

interface Matrix {
  guildId: string;
  adminId: string;
  /** Channel (or thread) id by the colour of its one image. */
  channelOf: Record<string, string>;
  users: Record<'plain' | 'muted' | 'allowed' | 'staff' | 'lurker' | 'excepted' | 'threadMember' | 'threadManager', string>;
}

function buildMatrix(discord: FakeDiscord): Matrix {
  const user = (name: string) => discord.createUser({ username: name }).id;
  const adminId = user('owner');
  const guild = discord.createGuild({ name: 'permissions', ownerId: adminId, botPermissions: DEFAULT_BOT_PERMISSIONS | P.Administrator });
  const role = (name: string, permissions = 0n) => discord.createRole(guild.id, { name, permissions }).id;
  const muted = role('Muted');
  const staff = role('Staff');
  const lurker = role('Lurker');
  const threadManagers = role('Thread managers', P.ManageThreads);
  const users = {
    plain: user('plain'),
    muted: user('muted'),
    allowed: user('allowed'),
    staff: user('staff'),
    lurker: user('lurker'),
    excepted: user('excepted'),
    threadMember: user('thread-member'),
    threadManager: user('thread-manager'),
  };
  const rolesOf: Partial<Record<keyof typeof users, string[]>> = {
    muted: [muted],
    staff: [staff],
    lurker: [lurker],
    excepted: [lurker],
    threadManager: [threadManagers],
  };
  for (const [name, id] of Object.entries(users)) discord.addMember(guild.id, id, { roles: rolesOf[name as keyof typeof users] ?? [] });

  const everyone = guild.everyoneRoleId;
  const channel = (name: string, spec: Omit<Parameters<FakeDiscord['createChannel']>[1], 'name'> = {}) =>
    discord.createChannel(guild.id, { name, ...spec }).id;
  const hideFromEveryone = { id: everyone, type: 'role' as const, deny: VIEW };
  const category = channel('hidden category', { type: 'category', permissionOverwrites: [hideFromEveryone] });
  const channelOf: Record<string, string> = {
    white: channel('open'),
    red: channel('muted-denied', { permissionOverwrites: [{ id: muted, type: 'role', deny: VIEW }] }),
    green: channel('one-member-allowed', { permissionOverwrites: [hideFromEveryone, { id: users.allowed, type: 'member', allow: VIEW }] }),
    blue: channel('staff-only', { permissionOverwrites: [hideFromEveryone, { id: staff, type: 'role', allow: VIEW }] }),
    yellow: channel('lurkers-denied', {
      permissionOverwrites: [
        { id: lurker, type: 'role', deny: VIEW },
        { id: users.excepted, type: 'member', allow: VIEW },
      ],
    }),
    // Synced with its category: Discord copies the category's overwrites onto the channel.
    black: channel('synced-under-hidden', { parentId: category, permissionOverwrites: [hideFromEveryone] }),
    // Not synced: its own (empty) overwrites apply, whatever the category says.
    orange: channel('unsynced-under-hidden', { parentId: category }),
    cyan: channel('age-restricted', { nsfw: true }),
    gray: channel('no-history', { permissionOverwrites: [{ id: everyone, type: 'role', deny: P.ReadMessageHistory }] }),
  };
  channelOf['purple'] = discord.createThread(channelOf['white']!, { name: 'private', private: true, members: [users.threadMember] }).id;
  channelOf['pink'] = discord.createThread(channelOf['blue']!, { name: 'staff thread' }).id;
  return { guildId: guild.id, adminId, channelOf, users };
}

/** What a member with no special role or overwrite sees from an ordinary channel. */
const PLAIN = ['white', 'red', 'yellow', 'orange'];

describe('/find shows a member exactly the images of channels they may read', () => {
  let harness: BotUnderTest;
  let matrix: Matrix;

  const seenBy = async (userId: string, fromColour = 'white') => {
    const first = await findAll(harness, { channelId: matrix.channelOf[fromColour]!, userId }, 'red');
    const pages = await everyPage(harness, first, userId);
    const colourOf = new Map(Object.entries(matrix.channelOf).map(([colour, id]) => [id, colour]));
    const fromChannels = pages.flatMap(shownChannels).map((id) => colourOf.get(id) ?? `unknown channel ${id}`);
    // Each channel holds one image named for its colour: names and channels must tell the same story.
    assert.deepEqual(
      pages.flatMap(shownNames).map((name) => name.replace(/\.png$/, '')),
      fromChannels,
    );
    const seen = new Set(fromChannels);
    assert.equal(seen.size, fromChannels.length, 'no image is shown twice');
    return seen;
  };

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (matrix = buildMatrix(discord)) });
    const admin = { channelId: matrix.channelOf['white']!, adminId: matrix.adminId };
    const threads = new Set([matrix.channelOf['purple'], matrix.channelOf['pink']]);
    for (const id of Object.values(matrix.channelOf)) if (!threads.has(id)) await indexChannel(harness, admin, id);
    for (const [colour, channelId] of Object.entries(matrix.channelOf)) {
      const rgb = TINY_COLOURS.find((c) => c.name === colour)!.rgb;
      await postColours(harness, channelId, matrix.adminId, [{ name: colour, rgb }]);
    }
  });
  after(() => harness.stop());

  test('the owner, who may read everything, sees every image (the matrix is all indexed)', async () => {
    assert.deepEqual(await seenBy(matrix.adminId, 'cyan'), new Set(Object.keys(matrix.channelOf)));
  });

  test('a member with no special rights sees only the open channels', async () => {
    assert.deepEqual(await seenBy(matrix.users.plain), new Set(PLAIN));
  });

  test('a role overwrite that denies View Channel hides that channel from members with the role', async () => {
    assert.deepEqual(await seenBy(matrix.users.muted), new Set(PLAIN.filter((c) => c !== 'red')));
  });

  test('a member overwrite that allows View Channel shows a channel @everyone cannot see to that member only', async () => {
    assert.deepEqual(await seenBy(matrix.users.allowed), new Set([...PLAIN, 'green']));
    assert.ok(!(await seenBy(matrix.users.plain)).has('green'));
  });

  test('@everyone denied but a role allowed: members with the role see the channel and its public threads', async () => {
    assert.deepEqual(await seenBy(matrix.users.staff), new Set([...PLAIN, 'blue', 'pink']));
  });

  test('a public thread of a channel the member cannot see stays hidden', async () => {
    for (const userId of [matrix.users.plain, matrix.users.threadManager, matrix.users.allowed]) {
      assert.ok(!(await seenBy(userId)).has('pink'));
    }
  });

  test('a role denied but the member allowed: the member overwrite wins', async () => {
    assert.deepEqual(await seenBy(matrix.users.lurker), new Set(PLAIN.filter((c) => c !== 'yellow')));
    assert.deepEqual(await seenBy(matrix.users.excepted), new Set(PLAIN));
  });

  test('a channel synced with a hidden category is hidden; an unsynced one follows its own overwrites', async () => {
    const seen = await seenBy(matrix.users.plain);
    assert.ok(!seen.has('black'));
    assert.ok(seen.has('orange'));
  });

  test('a private thread shows to members with Manage Threads but not to other non-members', async () => {
    assert.deepEqual(await seenBy(matrix.users.threadManager), new Set([...PLAIN, 'purple']));
    assert.ok(!(await seenBy(matrix.users.plain)).has('purple'));
  });

  test('a private thread shows to its members', async () => {
    assert.deepEqual(await seenBy(matrix.users.threadMember), new Set([...PLAIN, 'purple']));
  });

  test('age-restricted images show only when /find runs in an age-restricted channel', async () => {
    assert.deepEqual(await seenBy(matrix.users.plain, 'white'), new Set(PLAIN));
    assert.deepEqual(await seenBy(matrix.users.plain, 'cyan'), new Set([...PLAIN, 'cyan']));
  });

  test('results are shown only to the member who searched, never to others in the channel', async () => {
    const reply = await findAll(harness, { channelId: matrix.channelOf['white']!, userId: matrix.users.staff }, 'blue');
    assert.equal(reply.ephemeral, true);
    assert.ok(shownChannels(reply).length > 0);
  });

  test('View Channel without Read Message History hides the images', async () => {
    assert.ok(!(await seenBy(matrix.users.plain)).has('gray'));
    assert.ok(!(await seenBy(matrix.users.staff)).has('gray'));
  });
});
