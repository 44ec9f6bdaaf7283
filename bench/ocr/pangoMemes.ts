/**
 * Memes made another way than the test fixtures' (which draw glyph outlines from bundled
 * fonts): text laid out and rasterised by Pango through sharp, in the system's fonts (DejaVu
 * and Liberation, ten faces from extra-light to bold italic, condensed and monospace), at 60–220
 * dpi, in colours on photos, gradients, flat colours and noise, outlined by offset copies on
 * photos and noise. Each image holds one key word, decorated as people write it (punctuation,
 * accents, a hashtag, an apostrophe), queried plainly ("Café" → cafe). Where a face is missing,
 * fontconfig substitutes another, so figures are comparable only on one machine.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { WEATHER_DIR } from '../../test/fixtures/datasets.js';
import { mulberry32 } from '../../test/fixtures/seededRandom.js';

const FACES = [
  'DejaVu Sans Bold',
  'DejaVu Serif',
  'DejaVu Sans Mono',
  'Liberation Sans Bold',
  'Liberation Serif Italic',
  'Liberation Mono',
  'Liberation Sans Narrow',
  'DejaVu Serif Bold Italic',
  'DejaVu Sans Condensed',
  'DejaVu Sans ExtraLight',
];

/** [as drawn, as queried]. */
const KEY_WORDS: readonly (readonly [string, string])[] = [
  ['Pineapple!', 'pineapple'],
  ["wizard's hat", 'wizard'],
  ['(banjo)', 'banjo'],
  ['#tulip', 'tulip'],
  ['@walrus', 'walrus'],
  ['Café', 'cafe'],
  ['jalapeño', 'jalapeno'],
  ['ÜBER', 'uber'],
  ['crème', 'creme'],
  ['NAÏVE', 'naive'],
  ['Kangaroo?', 'KANGAROO'],
  ['MONGOOSE', 'Mongoose'],
  ["don't panic", "don't"],
  ['zeppelin,', 'zeppelin'],
  ['x-ray', 'x-ray'],
  ['Gorilla.', 'gorilla'],
  ['"Otter"', 'otter'],
  ['fondue...', 'fondue'],
  ['Hedgehog;', 'hedgehog'],
  ['BURRITO', 'burrito'],
  ['quokka', 'quokka'],
  ['Lasagna', 'lasagna'],
  ['Narwhal', 'narwhal'],
  ['Yeti', 'yeti'],
  ['Igloo', 'igloo'],
  ['Sphinx', 'sphinx'],
  ['Wombat', 'wombat'],
  ['Gazebo', 'gazebo'],
  ['Pelican', 'pelican'],
  ['Toaster', 'toaster'],
  ['Ukulele', 'ukulele'],
  ['Rhubarb', 'rhubarb'],
  ['Snorkel', 'snorkel'],
  ['Papaya', 'papaya'],
  ['Ferret', 'ferret'],
  ['Cobbler', 'cobbler'],
  ['Gondola', 'gondola'],
  ['Marmalade', 'marmalade'],
  ['Tambourine', 'tambourine'],
  ['Platypus', 'platypus'],
];
const FILLER = [
  'when you see it',
  'me every monday',
  'this is fine',
  'nobody asked but',
  'how it started',
  'how it is going',
  'the real question is',
  'certified moment',
];
const OUTLINE_OFFSETS = [
  [-2, 0],
  [2, 0],
  [0, -2],
  [0, 2],
  [-2, -2],
  [2, 2],
  [-2, 2],
  [2, -2],
] as const;

type Background = 'photo' | 'gradient' | 'flat' | 'noise';
const BACKGROUNDS: readonly Background[] = ['photo', 'gradient', 'flat', 'noise'];

const escapeMarkup = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textLayer(text: string, colour: string, face: string, width: number, dpi: number) {
  const markup = `<span foreground="${colour}">${escapeMarkup(text)}</span>`;
  return sharp({ text: { text: markup, font: face, width, dpi, rgba: true, align: 'centre' } })
    .png()
    .toBuffer({ resolveWithObject: true });
}

/** Writes the images and `captions.tsv` (`file<TAB>query`) into `dir`; returns how many. */
export async function writePangoMemes(dir: string, seed = 1): Promise<number> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = () =>
    `#${Math.floor(random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
  await mkdir(dir, { recursive: true });
  const photos = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  const captions: string[] = [];
  for (const [i, [drawn, query]] of KEY_WORDS.entries()) {
    const background = BACKGROUNDS[i % BACKGROUNDS.length] as Background;
    const face = pick(FACES);
    const width = 360 + Math.floor(random() * 500);
    const height = Math.round(width * (0.5 + random() * 0.6));
    const line = `${pick(FILLER)} ${drawn} ${pick(FILLER)}`;
    const text = random() < 0.4 ? line.toUpperCase() : line;
    const colour =
      background === 'flat'
        ? pick(['#ff2020', '#2040ff', '#20a020', '#ffff00', '#ff00ff'])
        : pick(['white', 'black', '#333333', '#ffcc00']);
    const dpi = 60 + Math.floor(random() * 160);
    const base =
      background === 'photo'
        ? sharp(await readFile(path.join(WEATHER_DIR, photos[i % photos.length] as string))).resize(width, height, { fit: 'cover' })
        : background === 'gradient'
          ? sharp(
              Buffer.from(
                `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
                  `<stop offset="0" stop-color="${hex()}"/><stop offset="1" stop-color="${hex()}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
              ),
            )
          : background === 'flat'
            ? sharp({
                create: {
                  width,
                  height,
                  channels: 3,
                  background: pick([
                    { r: 250, g: 250, b: 240 },
                    { r: 20, g: 20, b: 30 },
                    { r: 200, g: 220, b: 255 },
                  ]),
                },
              })
            : sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
    const fill = await textLayer(text, colour, face, Math.round(width * 0.9), dpi);
    const top = Math.floor(random() * Math.max(1, height - fill.info.height));
    const left = Math.max(0, Math.round((width - fill.info.width) / 2));
    const layers: OverlayOptions[] = [];
    if (background === 'photo' || background === 'noise') {
      const dark = colour === 'black' || colour === '#333333';
      const outline = await textLayer(text, dark ? 'white' : 'black', face, Math.round(width * 0.9), dpi);
      for (const [dx, dy] of OUTLINE_OFFSETS)
        layers.push({ input: outline.data, top: Math.max(0, top + dy), left: Math.max(0, left + dx) });
    }
    layers.push({ input: fill.data, top, left });
    const composed = base.composite(layers);
    const name = `pango-${String(i).padStart(2, '0')}-${background}.${background === 'flat' ? 'png' : 'jpg'}`;
    const bytes =
      background === 'flat' ? await composed.png().toBuffer() : await composed.jpeg({ quality: 60 + Math.floor(random() * 35) }).toBuffer();
    await writeFile(path.join(dir, name), bytes);
    captions.push(`${name}\t${query}\n`);
  }
  await writeFile(path.join(dir, 'captions.tsv'), captions.join(''));
  return captions.length;
}
