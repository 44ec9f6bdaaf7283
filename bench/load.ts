/**
 * The bot under sustained mixed load, end to end against the loopback Discord: an index of
 * 100,000 images, 50 members (a fifth of whom cannot read one channel), and slash commands at a
 * fixed rate (75% /find, 15% /similar, 10% /stats) for a few minutes. Prints, per command kind
 * and over all, time-to-defer and time-to-answer percentiles, then the heap (after a forced GC)
 * every window, and the REST calls the bot made per command. The last line is
 * `RESULT load.deferred_within_3s <fraction>`.
 *
 *   npm run bench -- load [seconds=240] [commands per second=20] [records=100000]
 *
 * Every command waits at most ANSWER_TIMEOUT_MS for its answer, and the run stops waiting after
 * that, so a bot that falls behind still ends in bounded time (about seconds + 1.5 minutes).
 * The heap includes the loopback Discord's own record of every request and reply (it runs in
 * this process): roughly 14 KB per command that a real deployment does not hold.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setLogLevel } from '../src/logger.js';
import { fireCommands, startLoadedBot, summarise, type CommandKind, type CommandResult } from '../test/reliability/loadDriver.js';

const SECONDS = Number(process.argv[2] ?? 240);
const RATE = Number(process.argv[3] ?? 20);
const RECORDS = Number(process.argv[4] ?? 100_000);
const WINDOW_SECONDS = 20;
const ANSWER_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

if (![SECONDS, RATE, RECORDS].every((value) => Number.isFinite(value) && value > 0)) {
  console.error('usage: npm run bench -- load [seconds] [commands per second] [records]');
  process.exit(2);
}

// The bot's own log lines would interleave with the table; errors still show.
setLogLevel('error');
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

console.log(`load: ${RECORDS.toLocaleString('en')} images, 50 members, ${RATE} commands/s for ${SECONDS} s`);
let started = performance.now();
const setup = await startLoadedBot({ records: RECORDS, members: 50, channels: 8, messagesPerChannel: 20 });
console.log(`setup (store, restart, index load): ${((performance.now() - started) / 1000).toFixed(1)} s; ${setup.indexed.toLocaleString('en')} images indexed`);

const requestsBefore = setup.harness.discord.requests.length;
const heap: Array<{ at: number; mb: number; sent: number; answered: number }> = [{ at: 0, mb: heapMb(), sent: 0, answered: 0 }];
const windows: Array<Promise<CommandResult[]>> = [];
const perWindow = Math.round(RATE * WINDOW_SECONDS);
let answeredSoFar = 0;
started = performance.now();
for (let window = 0; window * WINDOW_SECONDS < SECONDS; window++) {
  const count = Math.min(perWindow, Math.round(RATE * (SECONDS - window * WINDOW_SECONDS)));
  // Windows overlap in their waiting: the next one starts on schedule whatever the previous one's answers do.
  windows.push(
    fireCommands(setup, {
      count,
      spacingMs: 1000 / RATE,
      answerTimeoutMs: ANSWER_TIMEOUT_MS,
      firstIndex: window * perWindow,
      onResult: (result) => (answeredSoFar += result.answerMs === null ? 0 : 1),
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (window + 1) * WINDOW_SECONDS * 1000 - performance.now())));
  heap.push({ at: (performance.now() - started) / 1000, mb: heapMb(), sent: Math.min((window + 1) * perWindow, Math.round(RATE * SECONDS)), answered: answeredSoFar });
}
const results = (await Promise.all(windows)).flat();
heap.push({ at: (performance.now() - started) / 1000, mb: heapMb(), sent: results.length, answered: results.filter((result) => result.answerMs !== null).length });

const rows: Array<[string, CommandResult[]]> = [
  ...(['find', 'similar', 'stats'] as CommandKind[]).map((kind): [string, CommandResult[]] => [`/${kind}`, results.filter((result) => result.kind === kind)]),
  ['all', results],
];
const fmt = (ms: number): string => (Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
console.log('');
console.log('command    count  deferred<3s  expired  answered<10s  unanswered  defer p50  defer p99  answer p50  answer p99');
for (const [name, group] of rows) {
  const summary = summarise(group);
  const within10s = group.filter((result) => result.answerMs !== null && result.answerMs < 10_000).length;
  console.log(
    `${name.padEnd(9)} ${String(summary.commands).padStart(6)} ${String(summary.deferredWithin3s).padStart(12)} ${String(summary.expired).padStart(8)} ` +
      `${String(within10s).padStart(13)} ${String(summary.unanswered).padStart(11)} ${fmt(summary.deferP50).padStart(10)} ${fmt(summary.deferP99).padStart(10)} ` +
      `${fmt(summary.answerP50).padStart(11)} ${fmt(summary.answerP99).padStart(11)}`,
  );
}

console.log('');
console.log('time (s)  heap after GC (MB)  sent  answered');
for (const sample of heap) {
  console.log(`${sample.at.toFixed(0).padStart(8)} ${sample.mb.toFixed(1).padStart(19)} ${String(sample.sent).padStart(5)} ${String(sample.answered).padStart(9)}`);
}

const byRoute = new Map<string, number>();
for (const request of setup.harness.discord.requests.slice(requestsBefore)) {
  if (request.kind !== 'api' || request.route === null) continue;
  byRoute.set(request.route, (byRoute.get(request.route) ?? 0) + 1);
}
console.log('');
console.log('REST calls per command, by route');
for (const [route, count] of [...byRoute].sort((a, b) => b[1] - a[1])) {
  console.log(`${(count / results.length).toFixed(2).padStart(7)}  ${route}`);
}

// A bot that fell behind still has REST calls queued, which fail once the loopback Discord is
// gone: silence their error logs, and give the bot a bounded time to stop.
setLogLevel('silent');
const stopped = await Promise.race([
  setup.harness.stop().then(() => true),
  new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref()),
]);
if (!stopped) console.log(`(the bot had not stopped ${STOP_TIMEOUT_MS / 1000} s after the load ended)`);
const deferred = results.filter((result) => result.deferMs !== null && result.deferMs < 3000 && !result.expired).length;
console.log(`RESULT load.deferred_within_3s ${(deferred / results.length).toFixed(4)}`);
process.exit(0);
