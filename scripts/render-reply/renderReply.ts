import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startBotUnderTest } from '../../test/bot/botHarness.js';
import { PROJECT_ROOT } from '../../test/fixtures/datasets.js';
import { screenshotHtml } from './chromiumScreenshot.js';
import { findScene } from './findScene.js';
import { helpScene } from './helpScene.js';
import { PAGE_BACKGROUND } from './pageStyle.js';
import { replyPage } from './replyPage.js';
import type { Scene } from './scene.js';

/**
 * Pictures of the bot's replies without a Discord account: each scene starts the real bot against the fake Discord,
 * does what a person does, and draws the reply the fake Discord recorded (what the bot really sent, not a mock-up)
 * into docs/images/<scene>.png.
 *
 *   npm run render:reply            every scene
 *   npm run render:reply -- find    only these
 */

const SCENES: Scene[] = [findScene(), helpScene()];
const OUT_DIR = path.join(PROJECT_ROOT, 'docs', 'images');
const PAGE_WIDTH = 880;

async function renderScene(scene: Scene): Promise<string> {
  const harness = await startBotUnderTest({ fake: { botName: 'Image Search' }, setup: (discord) => scene.setup(discord) });
  try {
    const reply = await scene.run(harness);
    const file = path.join(OUT_DIR, `${scene.name}.png`);
    const { width, height } = await screenshotHtml(await replyPage(harness.discord, reply), file, {
      width: PAGE_WIDTH,
      background: PAGE_BACKGROUND,
    });
    console.log(`${path.relative(PROJECT_ROOT, file)}: ${width}×${height}, from the reply to a /${scene.name} (message ${reply.id})`);
    return file;
  } finally {
    await harness.stop();
  }
}

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !SCENES.some((scene) => scene.name === name));
  if (unknown.length > 0) throw new Error(`no scene named ${unknown.join(', ')}; scenes: ${SCENES.map((s) => s.name).join(', ')}`);
  await mkdir(OUT_DIR, { recursive: true });
  for (const scene of SCENES.filter((s) => names.length === 0 || names.includes(s.name))) await renderScene(scene);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
