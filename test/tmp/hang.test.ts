import { test } from 'node:test';
import { GatewayIntentBits, PermissionFlagsBits as P } from 'discord.js';
import { startFakeDiscordWithClient } from '../fake-discord/index.js';
test('fetch of an invisible thread', async () => {
  let threadId = '';
  const s = await startFakeDiscordWithClient({ intents: [GatewayIntentBits.Guilds], setup: (d) => {
    const g = d.createGuild({ name: 'g' });
    const c = d.createChannel(g.id, { name: 'hidden', permissionOverwrites: [{ id: g.id, type: 'role', deny: P.ViewChannel }] });
    threadId = d.createThread(c.id, { name: 't' }).id;
  }});
  const t0 = Date.now();
  try { await s.client.channels.fetch(threadId); } catch (e) { console.log('error', (e as Error).message, Date.now() - t0); }
  console.log(s.discord.requests.filter(r => r.path.includes(threadId)).map(r => `${r.method} ${r.path} ${r.status}`));
  await s.stop();
});
