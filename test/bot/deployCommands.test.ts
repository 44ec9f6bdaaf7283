import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runDeployCommand } from '../../src/discord/deployCommands.js';
import { capturedOutput } from '../fixtures/capturedOutput.js';
import { PROJECT_ROOT } from '../fixtures/datasets.js';
import { FakeDiscord } from '../fake-discord/index.js';

describe('commands:deploy', () => {
  let discord: FakeDiscord;
  let env: Record<string, string>;
  before(async () => {
    discord = await FakeDiscord.start();
    env = { DISCORD_TOKEN: discord.botToken, DISCORD_API_URL: discord.apiUrl };
  });
  after(async () => {
    await discord.stop();
  });

  test('--help prints the usage and exits 0, also when run as the npm script does', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/discord/deployCommands.ts'), '--help'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: npm run commands:deploy -- \[--guild ID\]/);
  });

  test('an unknown option exits 1 with the usage', async () => {
    const output = capturedOutput();
    assert.equal(await runDeployCommand(['--global'], output, env), 1);
    assert.match(output.errLines.join('\n'), /Unknown option '--global'[\s\S]*Usage: npm run commands:deploy/);
  });

  test('a token Discord refuses exits 2 saying to check DISCORD_TOKEN', async () => {
    const output = capturedOutput();
    const code = await runDeployCommand([], output, { ...env, DISCORD_TOKEN: 'MTIzNDU2Nzg5.Wrong.TokenValue0123456789' });
    assert.equal(code, 2);
    assert.match(output.errLines.join('\n'), /^Discord refused the bot token in DISCORD_TOKEN \(HTTP 401 Unauthorized\)/);
  });

  test('without a token it exits 1 saying where to get one', async () => {
    const output = capturedOutput();
    assert.equal(await runDeployCommand([], output, { DISCORD_API_URL: discord.apiUrl }), 1);
    assert.match(output.errLines.join('\n'), /DISCORD_TOKEN is not set/);
  });

  test('--guild registers every command in that server only', async () => {
    const admin = discord.createUser({ username: 'deploy-admin' });
    const guild = discord.createGuild({ name: 'deploy server', ownerId: admin.id });
    const output = capturedOutput();
    assert.equal(await runDeployCommand(['--guild', guild.id], output, env), 0, output.errLines.join('\n'));
    const registered = discord.state.guildCommands.get(guild.id);
    assert.ok(registered !== undefined && registered.size > 0);
    assert.equal(
      output.outLines.join('\n'),
      `Registered ${registered.size} commands for ${discord.botUser.username} in server ${guild.id}.`,
    );
    assert.equal(discord.state.globalCommands.size, 0);
  });

  test('--guild with an id Discord does not know exits 2 naming the server and what to check', async () => {
    const output = capturedOutput();
    assert.equal(await runDeployCommand(['--guild', '123456789012345678'], output, env), 2);
    assert.match(
      output.errLines.join('\n'),
      /^Discord refused to register the commands in server 123456789012345678 .*check the id, and that the bot was invited/,
    );
  });
});
