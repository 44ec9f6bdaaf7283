import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './fixtures/datasets.js';

/**
 * No Docker daemon runs where the tests do, so the image is kept honest by construction: its
 * stages are read here and held against what CI and `npm start` really do.
 */

interface Stage {
  name: string;
  image: string;
  /** Instructions with their continuation lines joined, comments left out. */
  instructions: Array<{ keyword: string; args: string }>;
}

function parseDockerfile(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', , name = `stage${stages.length}`] = args.split(/\s+/);
      stages.push({ name, image, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const read = (file: string): Promise<string> => readFile(path.join(PROJECT_ROOT, file), 'utf8');
const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
/** The flags of the first `npm ci` in some shell text. */
const npmCiFlags = (text: string): string | undefined => /\bnpm ci\b([^&|;\n]*)/.exec(text)?.[1]?.trim();

describe('the Dockerfile', () => {
  let stages: Stage[];
  let build: Stage;
  let runtime: Stage;
  let packageJson: { scripts: Record<string, string>; devDependencies: Record<string, string> };

  before(async () => {
    stages = parseDockerfile(await read('Dockerfile'));
    build = stages.find((stage) => stage.name === 'build')!;
    runtime = stages.at(-1)!;
    packageJson = JSON.parse(await read('package.json')) as typeof packageJson;
  });

  test('builds in a build stage and runs from a separate runtime stage', () => {
    assert.ok(build, 'a stage named build');
    assert.notEqual(runtime, build);
  });

  test('every stage starts from the exact Node release the tests run on', () => {
    const tested = packageJson.devDependencies.node!;
    assert.match(tested, /^\d+\.\d+\.\d+$/, 'package.json pins an exact Node release');
    for (const stage of stages) assert.match(stage.image, new RegExp(`^node:${tested.replace(/\./g, '\\.')}-[a-z]+-slim$`), stage.name);
  });

  test('installs with the same npm ci flags as .ci/run', async () => {
    const ci = npmCiFlags(await read('.ci/run'));
    assert.ok(ci !== undefined, '.ci/run runs npm ci');
    assert.deepEqual(
      runs(build)
        .map(npmCiFlags)
        .filter((flags) => flags !== undefined),
      [ci],
    );
  });

  test(".npmrc skips onnxruntime-node's CUDA download, and the image installs with it", async () => {
    const npmrc = (await read('.npmrc')).split('\n').map((line) => line.trim());
    assert.ok(npmrc.includes('onnxruntime-node-install=skip'));
    const copiesNpmrc = build.instructions.findIndex((i) => i.keyword === 'COPY' && i.args.split(/\s+/).includes('.npmrc'));
    const installs = build.instructions.findIndex((i) => i.keyword === 'RUN' && npmCiFlags(i.args) !== undefined);
    assert.ok(copiesNpmrc >= 0 && copiesNpmrc < installs, 'the build stage copies .npmrc before npm ci');
  });

  test(".ci/run runs the README's test command", async () => {
    const readme = await read('README.md');
    const ciLines = (await read('.ci/run')).split('\n').map((line) => line.trim());
    assert.match(readme, /```sh\nnpm ci && npm test\n```/);
    assert.ok(ciLines.includes('npm test'));
  });

  test('starts the compiled code exactly as npm start does once the build is current', () => {
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    assert.ok(cmd, 'the runtime stage has a CMD');
    const command = (JSON.parse(cmd.args) as string[]).join(' ');
    const [buildStep, startStep] = packageJson.scripts.start!.split('&&').map((part) => part.trim());
    assert.equal(command, startStep);
    assert.equal(buildStep, packageJson.scripts.build, 'npm start builds with the build script');
    assert.ok(
      runs(build).some((run) => run.includes('npm run build')),
      'the build stage runs the build script',
    );
  });

  test('the runtime stage runs as a non-root user from before its command', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    assert.ok(users.length > 0, 'a USER instruction');
    assert.ok(!['root', '0'].includes(users.at(-1)!), `runs as ${users.at(-1)}`);
  });

  test('health is checked on /healthz, with a start period long enough for a first model download', () => {
    const check = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    assert.ok(check, 'a HEALTHCHECK');
    assert.match(check.args, /\/healthz/);
    assert.match(check.args, /HEALTH_PORT/);
    const period = /--start-period=(\d+)(s|m|h)/.exec(check.args);
    assert.ok(period, 'a start period');
    const minutes = Number(period[1]) * { s: 1 / 60, m: 1, h: 60 }[period[2] as 's' | 'm' | 'h'];
    // About 300 MB at 2 Mbit/s is 20 minutes.
    assert.ok(minutes >= 20, `start period of ${minutes} minutes`);
  });

  test('no stage installs a compiler toolchain, and the runtime stage copies only built code and production modules', () => {
    for (const stage of stages) {
      for (const run of runs(stage)) assert.doesNotMatch(run, /\b(apt-get|apt|apk)\b.*\binstall\b/, `${stage.name}: ${run}`);
    }
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    const fromBuild = copies.filter((copy) => copy.startsWith('--from=build'));
    assert.deepEqual(fromBuild.map((copy) => copy.split(/\s+/)[1]).sort(), ['/app/dist', '/app/node_modules']);
    assert.ok(
      runs(build).some((run) => run.includes('npm prune --omit=dev')),
      'dev dependencies are pruned before the copy',
    );
  });

  describe('its pruning of onnxruntime binaries', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'docker-prune-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('keeps only the binaries of the platform it runs on', async () => {
      const prune = runs(build).find((run) => run.includes('onnxruntime-node/bin'));
      assert.ok(prune, 'the build stage prunes onnxruntime-node/bin');
      const platforms = ['darwin/arm64', 'linux/arm64', 'linux/x64', 'win32/arm64', 'win32/x64'];
      for (const platform of platforms) {
        const folder = path.join(dir, 'node_modules/onnxruntime-node/bin/napi-v6', platform);
        await mkdir(folder, { recursive: true });
        await writeFile(path.join(folder, 'onnxruntime_binding.node'), '');
      }
      // The same shell command, run here with the Node the tests run on.
      const nodeDir = path.dirname(process.execPath);
      const result = spawnSync('sh', ['-c', prune], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${nodeDir}:${process.env.PATH}` },
      });
      assert.equal(result.status, 0, result.stderr);
      const kept: string[] = [];
      const root = path.join(dir, 'node_modules/onnxruntime-node/bin/napi-v6');
      for (const system of await readdir(root)) for (const arch of await readdir(path.join(root, system))) kept.push(`${system}/${arch}`);
      assert.deepEqual(kept, [`${process.platform}/${process.arch}`]);
    });
  });
});
