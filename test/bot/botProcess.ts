import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { PROJECT_ROOT } from '../fixtures/datasets.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { buildSmallWorld, type SmallWorld } from './world.js';

/** The bot as a separate process, started the way `npm start` starts it (src/main.ts under tsx). */
export interface BotProcess {
  child: ChildProcess;
  output(): string;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal and resolves with the exit code (null when killed by the signal). */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export function startBotProcess(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = text.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(signal) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process of that id is alive (signal 0 only asks). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What a bot process runs against: a loopback Discord with a small world and the commands registered, and a fresh store. */
export interface ProcessWorld {
  discord: FakeDiscord;
  world: SmallWorld;
  /** The environment of a bot process on this world (add to it per test). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startProcessWorld(): Promise<ProcessWorld> {
  const discord = await FakeDiscord.start();
  const world = buildSmallWorld(discord);
  await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bot-process-'));
  return {
    discord,
    world,
    env: {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
      ENCODER_THREADS: '1',
    },
    async stop() {
      await discord.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
