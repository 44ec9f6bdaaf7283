import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

/**
 * An HTML page as a PNG, through Debian's headless Chromium (`apt-get install -y chromium`; `CHROMIUM` names another
 * binary). The page is shot in a window taller than it needs, then cut to its content plus a margin of its own
 * background colour, so no height has to be guessed.
 */

const run = promisify(execFile);

export interface ScreenshotOptions {
  /** Window width in CSS pixels (the page lays out to it). */
  width: number;
  /** The page's background colour, trimmed away below the content. */
  background: string;
  /** The tallest page expected; a longer one is cut at this height. */
  maxHeight?: number;
  margin?: number;
}

export async function screenshotHtml(
  html: string,
  pngPath: string,
  options: ScreenshotOptions,
): Promise<{ width: number; height: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-reply-'));
  try {
    const page = path.join(dir, 'page.html');
    const shot = path.join(dir, 'shot.png');
    await writeFile(page, html);
    await runChromium([
      `--user-data-dir=${path.join(dir, 'profile')}`,
      `--window-size=${options.width},${options.maxHeight ?? 8000}`,
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--screenshot=${shot}`,
      `file://${page}`,
    ]);
    const margin = options.margin ?? 16;
    const { data, info } = await sharp(shot).trim({ background: options.background, threshold: 2 }).toBuffer({ resolveWithObject: true });
    await sharp(data)
      .extend({ top: margin, bottom: margin, left: margin, right: margin, background: options.background })
      // A palette keeps photos looking right at a third of the size.
      .png({ compressionLevel: 9, palette: true, quality: 90 })
      .toFile(pngPath);
    return { width: info.width + 2 * margin, height: info.height + 2 * margin };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The flags keep a headless Chromium off the network and away from any profile but its own fresh one. */
async function runChromium(args: string[]): Promise<void> {
  const binary = process.env['CHROMIUM'] ?? 'chromium';
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  try {
    await run(binary, [...flags, ...args], { timeout: 120_000 });
  } catch (error) {
    // execFile's failure: the spawn error's code, or the exit with what the process wrote (as text).
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        `Chromium was not found as "${binary}": install Debian's chromium (apt-get install -y chromium) or set CHROMIUM to its path`,
        { cause: error },
      );
    }
    const stderrTail = (stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`Chromium failed to take the screenshot: ${(error as Error).message}${stderrTail ? `\n${stderrTail}` : ''}`, {
      cause: error,
    });
  }
}
