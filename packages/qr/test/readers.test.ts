/**
 * Read right by every common reader: a seeded corpus of random Unicode and Latin-1 texts, each
 * drawn at every error-correction level with the engine's defaults, decoded by ZXing (zxing-wasm)
 * and by zbar (`zbarimg`, Debian zbar-tools: the decoder inside many Linux and Python scanning
 * tools), must read back exactly. Regression: without an ECI, byte mode is ISO-8859-1 by the
 * standard and readers guess the character set; zbar read some UTF-8 texts as Shift JIS mojibake.
 * The same texts drawn with `eci: false` show zbar's guessing, so this test can fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeText, type EncodeOptions } from '../src/index.js';
import { renderPng } from '../src/render/png.js';
import { decodeQr } from './helpers/zxing.js';

const zbar = spawnSync('zbarimg', ['--version']).status === 0;
if (!zbar && process.env.QRFORGE_REQUIRE_SERVICES)
  throw new Error('zbarimg is required (apt-get install zbar-tools)');
if (!zbar)
  console.warn('zbarimg is not installed: the zbar half is skipped (apt-get install zbar-tools)');

const LEVELS = ['L', 'M', 'Q', 'H'] as const;
const PAYLOADS = 500;

/** mulberry32: a small seeded PRNG, so a failure names a corpus anyone can regenerate. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Printable code points from ranges people write in (no controls: zbar's output is line-split). */
const RANGES: [number, number][] = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0xff], // Latin-1
  [0x100, 0x24f], // Latin Extended
  [0x370, 0x3ff], // Greek
  [0x400, 0x4ff], // Cyrillic
  [0x5d0, 0x5ea], // Hebrew
  [0x600, 0x6ff], // Arabic
  [0x900, 0x97f], // Devanagari
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x4e00, 0x9fff], // CJK
  [0xac00, 0xd7a3], // Hangul
  [0x20a0, 0x20bf], // currency
  [0x1f300, 0x1f64f], // emoji
];

function corpus(): string[] {
  const next = random(0x51f0);
  const texts: string[] = [];
  for (let i = 0; i < PAYLOADS; i++) {
    const latin1 = i % 4 === 0; // a quarter Latin-1 only: "café", "Müller"
    const ranges = latin1 ? RANGES.slice(0, 2) : RANGES;
    const length = 1 + Math.floor(next() * 40);
    let text = '';
    for (let c = 0; c < length; c++) {
      const [lo, hi] = ranges[Math.floor(next() * ranges.length)];
      text += String.fromCodePoint(lo + Math.floor(next() * (hi - lo + 1)));
    }
    // Make sure each has a non-ASCII character: ASCII is never misread.
    texts.push(/[^\x20-\x7e]/.test(text) ? text : `${text}é`);
  }
  return texts;
}

const dir = mkdtempSync(join(tmpdir(), 'qrforge-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** zbar's reading of each image, in order (one code per image, no line breaks in the texts). */
function readWithZbar(files: string[]): string[] {
  const read: string[] = [];
  for (let i = 0; i < files.length; i += 100) {
    const batch = files.slice(i, i + 100);
    const out = execFileSync('zbarimg', ['-q', '--raw', ...batch], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    });
    read.push(...out.split('\n').slice(0, batch.length));
  }
  return read;
}

function draw(texts: string[], options: EncodeOptions, tag: string) {
  const files: string[] = [];
  const images: Uint8Array[] = [];
  texts.forEach((text, i) => {
    const ecc = LEVELS[i % LEVELS.length];
    const png = renderPng(encodeText(text, { ...options, ecc }), { scale: 3 });
    const file = join(dir, `${tag}-${i}.png`);
    writeFileSync(file, png);
    files.push(file);
    images.push(png);
  });
  return { files, images };
}

describe('every common reader reads our Unicode text exactly', () => {
  // Each text at every level: the corpus repeated four times, level by position.
  const texts = corpus().flatMap((text) => LEVELS.map(() => text));

  it(`ZXing: ${PAYLOADS} texts x 4 levels`, async () => {
    const { images } = draw(texts, {}, 'zxing');
    const wrong: string[] = [];
    for (const [i, image] of images.entries()) {
      const [result] = await decodeQr(image);
      if (result?.text !== texts[i]) wrong.push(`${LEVELS[i % 4]} ${JSON.stringify(texts[i])}`);
    }
    expect(wrong).toEqual([]);
  });

  it.skipIf(!zbar)(`zbar: ${PAYLOADS} texts x 4 levels, and what it guesses without an ECI`, () => {
    const { files } = draw(texts, {}, 'zbar');
    const read = readWithZbar(files);
    const wrong = texts.filter((text, i) => read[i] !== text);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(read).toHaveLength(texts.length);

    // The regression this guards: the same texts as unannounced UTF-8.
    const bare = draw(texts, { eci: false }, 'bare');
    const guessed = readWithZbar(bare.files).filter((r, i) => r !== texts[i]).length;
    console.info(
      `zbar ${execFileSync('zbarimg', ['--version'], { encoding: 'utf8' }).trim()}: ${texts.length} of ${texts.length} exact with ECI 26 (the default for non-ASCII text); without it, ${guessed} misread`,
    );
    expect(guessed).toBeGreaterThan(0);
  });

  it('ASCII text carries no ECI (nothing for old readers to trip on); eci: true adds it', () => {
    expect(encodeText('PAD-V0100-L2025-09-00001').segments.some((s) => s.mode === 'eci')).toBe(
      false,
    );
    expect(encodeText('café').segments[0]).toEqual({ mode: 'eci', assignment: 26 });
    expect(encodeText('café', { eci: false }).segments.some((s) => s.mode === 'eci')).toBe(false);
    expect(encodeText('plain', { eci: true }).segments[0]).toEqual({ mode: 'eci', assignment: 26 });
    // Kanji mode is Shift JIS by the standard: no ECI when the text goes that way.
    expect(encodeText('東京', { kanji: true }).segments.map((s) => s.mode)).toEqual(['kanji']);
  });
});
