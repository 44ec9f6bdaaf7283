/**
 * `/find` at a million: the bot, started as its own process the way `npm start` starts it,
 * against the loopback Discord (in this process), with N images indexed (default 1 M) and the
 * small fixture model quantized as the published models are (256-d, the real encoders' cost).
 * Commands arrive at fixed rates (75 % /find, 15 % /similar, 10 % /stats), one step per rate,
 * from 50 members, a fifth of whom cannot read one channel.
 *
 * Per command kind and rate it reports the bot's own time, from the interaction being sent to
 * the bot sending its answer, with the time spent waiting on Discord taken out (reported apart;
 * see lib/commandTiming.ts), p50 and p99, and the bot process's CPU time per command. It stops
 * at the first rate where /find's p99 passes 1 s (or answers go missing) and says between which
 * rates that happened. Cold start is reported as wall and CPU seconds; resident memory of the
 * bot process with the index, and of one with an empty index (what each extra shard costs).
 *
 *   npm run bench -- load [--records 1000000] [--model small|tiny] [--float32] [--rates 2,5,10,20] [--seconds 60]
 *
 * The last lines are `RESULT load.find_p99_ms_1m <bot p99 of /find at 5 commands/s, 1 M images>`
 * and `RESULT load.deferred_within_3s <fraction>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REST } from 'discord.js';
import { registerCommands } from '../src/discord/registerCommands.js';
import { modelIdentity } from '../src/embed/modelIdentity.js';
import { DEFAULT_SEGMENT_RECORDS, ImageStore } from '../src/store/imageStore.js';
import { startBotProcess, type BotProcess } from '../test/bot/botProcess.js';
import { FakeDiscord } from '../test/fake-discord/index.js';
import { readConfig } from '../test/fixtures/models/assertModelDirectory.js';
import { fixtureModelDir, isFixturePreset } from '../test/fixtures/models/fixtureModels.js';
import { mulberry32 } from '../test/fixtures/seededRandom.js';
import {
  fireLoadCommands,
  loadQueryImages,
  sendLoadCommand,
  type CommandKind,
  type SentCommand,
} from '../test/reliability/loadCommands.js';
import {
  createLoadGuild,
  LOAD_RECORDS_SEED,
  postImagePool,
  syntheticRecords,
  type LoadWorld,
  type PooledImage,
} from '../test/reliability/loadWorld.js';
import { commandTiming, type CommandTiming } from './lib/commandTiming.js';
import { cpuSecondsOf, memoryOf } from './lib/processStats.js';
import { fmt, loadAverage, machineLine, percentile, table } from './lib/report.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    model: { type: 'string', default: 'small' },
    float32: { type: 'boolean', default: false },
    rates: { type: 'string', default: '2,5,10,20' },
    seconds: { type: 'string', default: '60' },
  },
});
const RECORDS = Number(args.records);
const RATES = args.rates.split(',').map(Number);
const SECONDS = Number(args.seconds);
if (!isFixturePreset(args.model) || !(RECORDS > 0) || !RATES.every((rate) => rate > 0) || !(SECONDS > 0)) {
  console.error('usage: npm run bench -- load [--records N] [--model small|tiny] [--float32] [--rates 2,5,10] [--seconds S]');
  process.exit(2);
}
const ANSWER_TIMEOUT_MS = 60_000;

interface Sent extends SentCommand {
  timing: CommandTiming | null;
}

console.log(machineLine('load bench'));
const queryImages = await loadQueryImages();
const discord = await FakeDiscord.start();
const work = await mkdtemp(path.join(os.tmpdir(), 'load-bench-'));
const bots: BotProcess[] = [];
try {
  const world = createLoadGuild(discord, { members: 50, channels: 8 });
  await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
  const pool = await postImagePool(discord, world, 20);
  const modelDir = await fixtureModelDir(args.model, { quantized: !args.float32 });
  const dimensions = (await readConfig(modelDir)).image_encoder.embedding_dim;
  const modelName = `${args.model}${args.float32 ? ' (float32)' : ' (quantized)'}`;
  let started = performance.now();
  const storeUrl = `sqlite://${path.join(work, 'index.sqlite')}`;
  await writeRecords(storeUrl, world, pool, dimensions, await modelIdentity(modelDir));
  console.log(
    `${RECORDS.toLocaleString('en')} records of ${dimensions} dimensions written in ${fmt((performance.now() - started) / 1000)} s; model ${modelName}`,
  );

  started = performance.now();
  const bot = startBot(modelDir, storeUrl);
  bots.push(bot);
  await bot.waitForLine(/ready as/, 15 * 60_000);
  const coldWall = (performance.now() - started) / 1000;
  const coldCpu = cpuSecondsOf(bot.child.pid!);
  const loaded = memoryOf(bot.child.pid!);
  console.log(
    `cold start (model, ${RECORDS.toLocaleString('en')} images, Discord login): ${fmt(coldWall)} s wall, ${fmt(coldCpu)} s CPU; ` +
      `resident ${fmt(loaded.rss / 2 ** 20, 0)} MiB (peak ${fmt(loaded.peak / 2 ** 20, 0)} MiB)`,
  );

  for (let n = 0; n < 20; n++) await send(world, n); // warm-up: JIT, first re-reads of messages
  const rows: string[][] = [];
  const all: Sent[] = [];
  let findP99At5 = Number.NaN;
  let crossing = `not reached up to ${RATES.at(-1)} commands/s`;
  let previousRate = 0;
  for (const rate of RATES) {
    const cpuBefore = cpuSecondsOf(bot.child.pid!);
    const sent = await fire(world, rate, Math.round(rate * SECONDS));
    const cpuMsPerCommand = ((cpuSecondsOf(bot.child.pid!) - cpuBefore) * 1000) / sent.length;
    all.push(...sent);
    for (const kind of ['find', 'similar', 'stats'] as CommandKind[]) {
      const group = sent.filter((command) => command.kind === kind);
      const timed = group.flatMap((command) => (command.timing === null ? [] : [command.timing]));
      const sorted = (values: number[]) => values.sort((a, b) => a - b);
      const own = sorted(timed.map((timing) => timing.botMs));
      const waited = sorted(timed.map((timing) => timing.discordMs));
      const total = sorted(timed.map((timing) => timing.totalMs));
      rows.push([
        String(rate),
        `/${kind}`,
        String(group.length),
        String(timed.length),
        fmt(percentile(own, 0.5), 0),
        fmt(percentile(own, 0.99), 0),
        fmt(percentile(waited, 0.5), 0),
        fmt(percentile(waited, 0.99), 0),
        fmt(percentile(total, 0.99), 0),
        fmt(cpuMsPerCommand, 1),
      ]);
      if (kind !== 'find') continue;
      const p99 = percentile(own, 0.99);
      console.log(
        `${rate} commands/s: /find bot p50 ${fmt(percentile(own, 0.5), 0)} ms, p99 ${fmt(p99, 0)} ms; answered ${timed.length}/${group.length}; load average ${loadAverage()}`,
      );
      if (rate === 5) findP99At5 = p99;
      if ((p99 > 1000 || timed.length < group.length * 0.95) && crossing.startsWith('not'))
        crossing = `between ${previousRate} and ${rate} commands/s`;
    }
    previousRate = rate;
    if (!crossing.startsWith('not')) break;
  }

  const emptyStore = `sqlite://${path.join(work, 'empty.sqlite')}`;
  const empty = startBot(modelDir, emptyStore);
  bots.push(empty);
  await empty.waitForLine(/ready as/, 5 * 60_000);
  const emptyMemory = memoryOf(empty.child.pid!);
  const idle = memoryOf(bot.child.pid!);

  console.log(
    `\n${RECORDS.toLocaleString('en')} images, model ${modelName}; bot's own time (ms) excludes waiting on the loopback Discord, reported apart; CPU: the bot process's, per command\n`,
  );
  console.log(
    table(
      ['rate /s', 'command', 'sent', 'answered', 'bot p50', 'bot p99', 'Discord p50', 'Discord p99', 'total p99', 'CPU ms/command'],
      rows,
    ),
  );
  console.log(`\n/find p99 passes 1 s: ${crossing}`);
  console.log(
    `resident memory per shard process: ${fmt(idle.rss / 2 ** 20, 0)} MiB with ${RECORDS.toLocaleString('en')} images (peak ${fmt(idle.peak / 2 ** 20, 0)} MiB), ` +
      `${fmt(emptyMemory.rss / 2 ** 20, 0)} MiB with an empty index (model, runtime, Discord client)`,
  );
  const deferred = all.filter(
    (command) =>
      command.reply !== null && command.reply.respondedAfterMs !== null && command.reply.respondedAfterMs < 3000 && !command.reply.expired,
  );
  console.log(`RESULT load.find_p99_ms_1m ${RECORDS === 1_000_000 && !Number.isNaN(findP99At5) ? fmt(findP99At5, 0) : 'n/a'}`);
  console.log(`RESULT load.deferred_within_3s ${fmt(deferred.length / all.length, 4)}`);
} finally {
  for (const bot of bots) await bot.stop('SIGTERM');
  await discord.stop();
  await rm(work, { recursive: true, force: true });
}
process.exit(0);

function startBot(modelDir: string, storeUrl: string): BotProcess {
  return startBotProcess({
    DISCORD_TOKEN: discord.botToken,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_CDN_HOSTS: discord.cdnHost,
    MODEL_DIR: modelDir,
    STORE_URL: storeUrl,
    COMMANDS_PER_MINUTE: '100000',
  });
}

/**
 * RECORDS records spread over the pool's messages (see syntheticRecords), written straight into
 * the store the bot will load.
 */
async function writeRecords(storeUrl: string, world: LoadWorld, pool: PooledImage[][], dimensions: number, modelId: string): Promise<void> {
  const store = await ImageStore.open(storeUrl, { compactAfter: 0 });
  const random = mulberry32(LOAD_RECORDS_SEED);
  try {
    for (let from = 0; from < RECORDS; from += DEFAULT_SEGMENT_RECORDS) {
      await store.putBulk(
        syntheticRecords(world, pool, modelId, dimensions, from, Math.min(DEFAULT_SEGMENT_RECORDS, RECORDS - from), random),
      );
    }
  } finally {
    await store.close();
  }
}

/** Commands at a fixed rate (the schedule holds whatever the bot does); resolves once every one is answered or given up. */
async function fire(world: LoadWorld, rate: number, count: number): Promise<Sent[]> {
  const sent = await fireLoadCommands(discord, world, { count, spacingMs: 1000 / rate, answerTimeoutMs: ANSWER_TIMEOUT_MS });
  const requests = discord.requests;
  return sent.map((command) => ({
    ...command,
    timing: command.reply === null ? null : commandTiming(command.reply, command.sentAt, requests),
  }));
}

async function send(world: LoadWorld, n: number): Promise<SentCommand> {
  return sendLoadCommand(discord, world, n, queryImages, ANSWER_TIMEOUT_MS);
}
