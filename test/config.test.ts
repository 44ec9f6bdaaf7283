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

  test('a timeout too long for a timer is refused with its range, not turned into 1 ms', () => {
    const [download] = problemsOf({ DOWNLOAD_TIMEOUT_MS: '3000000000' });
    assert.equal(
      download,
      'DOWNLOAD_TIMEOUT_MS is "3000000000": expected the time an image download may take (at most 10 minutes): ' +
        'a whole number of milliseconds from 1 to 600000',
    );
    const [batchWait] = problemsOf({ ENCODER_MAX_WAIT_MS: '99999999999' });
    assert.match(batchWait!, /^ENCODER_MAX_WAIT_MS is "99999999999": expected .* milliseconds from 0 to 10000$/);
    assert.equal(loadConfig({ DOWNLOAD_TIMEOUT_MS: '600000', ENCODER_MAX_WAIT_MS: '0' }).downloadTimeoutMs, 600_000);
  });

  test('OCR is off unless set to on; anything else is refused, naming it', () => {
    assert.equal(loadConfig({}).ocr, false);
    assert.equal(loadConfig({ OCR: 'on' }).ocr, true);
    assert.deepEqual(problemsOf({ OCR: 'yes' }), ['OCR is "yes": expected on or off']);
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

describe('sharding settings', () => {
  test('without SHARDS or SHARD_IDS the bot runs as one process', () => {
    assert.deepEqual(loadConfig({}).sharding, { role: 'single' });
  });

  test('SHARDS=N runs every one of N shards on this host', () => {
    assert.deepEqual(loadConfig({ SHARDS: '4' }).sharding, { role: 'manager', count: 4, ids: undefined });
    assert.deepEqual(loadConfig({ SHARDS: 'auto' }).sharding, { role: 'manager', count: 'auto', ids: undefined });
  });

  test('SHARD_IDS takes ranges and lists, sorted, with SHARD_COUNT as the total across hosts', () => {
    assert.deepEqual(loadConfig({ SHARD_IDS: '0-7', SHARD_COUNT: '32' }).sharding, {
      role: 'manager',
      count: 32,
      ids: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    assert.deepEqual(loadConfig({ SHARD_IDS: '12-13, 3,5', SHARD_COUNT: '16' }).sharding, {
      role: 'manager',
      count: 16,
      ids: [3, 5, 12, 13],
    });
  });

  test('malformed shard ids name the variable and show the accepted forms', () => {
    for (const bad of ['0..7', '7-0', 'a', '1,,2', '-3']) {
      const [problem] = problemsOf({ SHARD_IDS: bad, SHARD_COUNT: '8' });
      assert.match(problem!, /^SHARD_IDS is ".*": expected shard ids such as 0-7, 0,2,4 or 0-3,8-11/, bad);
    }
  });

  test('an absurdly large shard id is refused before anything is listed', () => {
    const [problem] = problemsOf({ SHARD_IDS: '0-9999999999', SHARD_COUNT: '8' });
    assert.match(problem!, /^SHARD_IDS is "0-9999999999": expected shard ids below 100000/);
  });

  test('a shard listed twice is refused, naming it', () => {
    const [problem] = problemsOf({ SHARD_IDS: '0-3,2', SHARD_COUNT: '8' });
    assert.match(problem!, /^SHARD_IDS is "0-3,2": expected each shard once, but 2 is listed twice/);
  });

  test('a shard id at or beyond SHARD_COUNT is refused with the valid range', () => {
    const [problem] = problemsOf({ SHARD_IDS: '6-8', SHARD_COUNT: '8' });
    assert.match(problem!, /^SHARD_IDS is "6-8": shard 8 does not exist when SHARD_COUNT is 8 \(shard ids run from 0 to 7\)/);
  });

  test('SHARD_IDS needs SHARD_COUNT, and SHARD_COUNT needs SHARD_IDS', () => {
    assert.match(
      problemsOf({ SHARD_IDS: '0-7' })[0]!,
      /^SHARD_COUNT is not set while SHARD_IDS is "0-7": expected the total number of shards across all hosts/,
    );
    assert.match(
      problemsOf({ SHARD_COUNT: '32' })[0]!,
      /^SHARD_IDS is not set while SHARD_COUNT is "32": .*use SHARDS=32 to run them all here/,
    );
  });

  test('SHARDS together with SHARD_IDS is refused as ambiguous', () => {
    const [problem] = problemsOf({ SHARDS: '4', SHARD_IDS: '0-1', SHARD_COUNT: '4' });
    assert.match(problem!, /^SHARDS is "4" together with SHARD_IDS\/SHARD_COUNT: set SHARDS .* or SHARD_IDS with SHARD_COUNT/);
  });

  test('in a shard process the ids come from the sharding manager, whatever the host was told', () => {
    const env = { SHARDING_MANAGER: 'true', SHARDS: '5', SHARD_COUNT: '32', SHARD_IDS: '0-7' };
    assert.deepEqual(loadConfig(env).sharding, { role: 'shard', ids: [5], count: 32 });
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
