import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, requireDiscordToken } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.model.id, 'unum-cloud/uform3-image-text-english-small');
    assert.equal(config.storeUrl, 'sqlite://data/index.sqlite');
    assert.equal(config.model.dir, undefined);
    assert.equal(config.encoder.maxBatch, 16);
    assert.deepEqual(config.discord.cdnHosts, ['cdn.discordapp.com', 'media.discordapp.net']);
  });

  test('a bad number names the variable, its value and what is expected', () => {
    const [problem] = problemsOf({ ENCODER_MAX_BATCH: 'lots' });
    assert.match(problem!, /^ENCODER_MAX_BATCH is "lots": expected a whole number/);
  });

  test('every bad variable is reported at once', () => {
    const problems = problemsOf({ ENCODER_THREADS: '-1', STORE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => p.startsWith('STORE_URL is "mysql://x": expected a URL starting with sqlite://')));
    assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL is "loud"')));
    assert.ok(problems.some((p) => p.startsWith('ENCODER_THREADS is "-1"')));
  });

  test('a URL variable must be http or https', () => {
    const [problem] = problemsOf({ DISCORD_API_URL: 'ftp://example' });
    assert.match(problem!, /^DISCORD_API_URL is "ftp:\/\/example": expected the Discord REST base URL/);
  });

  test('an empty value counts as unset and takes the default', () => {
    assert.equal(loadConfig({ LOG_LEVEL: '' }).logLevel, 'info');
  });

  test('the bot refuses to start without a token, saying where to get one', () => {
    assert.throws(() => requireDiscordToken(loadConfig({})), /DISCORD_TOKEN is not set: expected the bot token/);
  });

  test('a malformed token is refused without printing it', () => {
    const secret = 'not-a-token-but-secret';
    assert.throws(
      () => requireDiscordToken(loadConfig({ DISCORD_TOKEN: secret })),
      (error: Error) => !error.message.includes(secret) && /22 characters \(hidden\)/.test(error.message),
    );
  });

  test('a well-formed token is accepted', () => {
    assert.equal(requireDiscordToken(loadConfig({ DISCORD_TOKEN: 'MTIz.abc.def' })), 'MTIz.abc.def');
  });
});

test('.env.example documents every variable the config reads, with its default', async () => {
  const { readFile } = await import('node:fs/promises');
  const { CONFIG_DEFAULTS } = await import('../src/config.js');
  const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
  for (const [name, fallback] of Object.entries(CONFIG_DEFAULTS)) {
    const line = example.split('\n').find((l) => new RegExp(`^#? ?${name}=`).test(l));
    assert.ok(line, `${name} is missing from .env.example`);
    if (fallback !== undefined) assert.equal(line.replace(/^# ?/, ''), `${name}=${fallback}`);
  }
});

