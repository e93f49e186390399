/**
 * A decode worker thread: ZXing-C++ (zxing-wasm), its .wasm read from node_modules, reporting
 * every code: QR first, also Micro QR, DataMatrix and Code 128. Cheapest first:
 *  - `quick`: ZXing on the file itself, no retries but the inverted image. ZXing decodes PNG,
 *    JPEG and GIF itself (stb_image), faster than sharp hands over pixels: measured on a 640x480
 *    JPEG, 3.5 ms for the read versus 4.4 ms for sharp's decode alone (`npm run bench:scan`).
 *  - `as-is`: ZXing's own retries (harder, quarter turns, inverted, downscaled).
 *  - prepared versions of the photo (sharp), see ATTEMPTS.
 * The answer says which pass found the codes. WebP is decoded by sharp from the start.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp, { type Sharp } from 'sharp';
import {
  prepareZXingModule,
  readBarcodes,
  type ReadResult,
  type ReaderOptions,
} from 'zxing-wasm/reader';
import { assessQuality, unusedErrorCorrection, type QualityReport } from './quality.js';

export interface DecodeTask {
  bytes: Uint8Array;
  /** The type read from the header: png, jpg, gif or webp. */
  type: string;
  maxPixels: number;
  /** Measure each code's print quality (costs a decode of the photo by sharp). */
  quality: boolean;
}

export interface DecodeResult {
  /** QR codes first, then the other formats, each in the order ZXing found them. */
  codes: DecodedCode[];
  /** The pass that found them: `quick`, `as-is`, then the ATTEMPTS' names; `none` if none did. */
  attempt: string;
}

const FORMATS: ReaderOptions['formats'] = ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'];
// Inverted (light on dark) is tried only when the normal read finds nothing: measured, it adds
// nothing to a plain photo and reads dark-background ones here rather than in `as-is`.
const QUICK: ReaderOptions = {
  formats: FORMATS,
  tryHarder: false,
  tryRotate: false,
  tryInvert: true,
  tryDownscale: false,
  maxNumberOfSymbols: 32,
};
const THOROUGH: ReaderOptions = {
  formats: FORMATS,
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 32,
};
/**
 * For the prepared versions: 2D codes only, whose detectors find them at any angle, so ZXing's
 * quarter turns (for linear codes) and its inverted retry (done in `as-is`) would only repeat work.
 */
const PREPARED: ReaderOptions = {
  ...THOROUGH,
  formats: ['QRCode', 'MicroQRCode', 'DataMatrix'],
  tryRotate: false,
  tryInvert: false,
};

/**
 * What real photos of engraved and printed codes need when ZXing's own retries fail, cheapest
 * first: stretched contrast (faint laser marks), local histogram equalisation (uneven light, an
 * adaptive threshold's job), a median filter (sensor noise, metal grain), a 45-degree turn
 * (ZXing's rotation retries are quarter turns). Corners found in a turned image are in its frame,
 * and its quality is measured there; the other passes keep the geometry, so quality is measured
 * on the photo as it came, not on the enhanced copy.
 */
const ATTEMPTS: { name: string; prepare: (image: Sharp) => Sharp; turns?: true }[] = [
  { name: 'contrast', prepare: (image) => image.normalise() },
  { name: 'equalised', prepare: (image) => image.clahe({ width: 32, height: 32, maxSlope: 3 }) },
  { name: 'denoised', prepare: (image) => image.median(5).normalise() },
  { name: 'turned', prepare: (image) => image.rotate(45, { background: '#ffffff' }), turns: true },
];

export interface DecodedCode {
  text: string;
  format: string;
  /** L, M, Q or H for QR codes; empty when the format has none. */
  errorCorrection: string;
  version: string;
  /** Corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
  corners: { x: number; y: number }[];
  /** Print quality read from the photo; null for Code 128 (linear) or when not asked for. */
  quality: QualityReport | null;
}

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
const ready = prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});

export default async function decode(task: DecodeTask): Promise<DecodeResult | { error: string }> {
  await ready;
  let photo: Grey | undefined;
  // A transparent background reads as white, as it looks on a screen.
  const photoPixels = async () =>
    (photo ??= await greyOf(
      sharp(task.bytes, { limitInputPixels: task.maxPixels }).flatten({ background: '#ffffff' }),
    ));
  let input: Uint8Array | ReturnType<typeof rgbaOf>;
  let quick: ReadResult[];
  try {
    input = task.type === 'webp' ? rgbaOf(await photoPixels()) : task.bytes;
    quick = await readBarcodes(input, QUICK);
  } catch (error) {
    return { error: (error as Error).message };
  }
  // ZXing reports a file it cannot read as one invalid result with an error and no format.
  const unreadable = quick.find((r) => !r.isValid && r.error && !r.format);
  if (unreadable && quick.length === 1) return { error: unreadable.error };
  const finish = async (results: ReadResult[], attempt: string, frame = photoPixels) => {
    const codes = distinct(results.filter((r) => r.isValid)).sort(
      (a, b) => Number(b.format === 'QRCode') - Number(a.format === 'QRCode'),
    );
    if (!codes.length) return undefined;
    const grey = task.quality ? { ...(await frame()), stride: 1 } : undefined;
    return { codes: codes.map((r) => described(r, grey)), attempt };
  };
  const found =
    (await finish(quick, 'quick')) ?? (await finish(await readBarcodes(input, THOROUGH), 'as-is'));
  if (found) return found;
  const source = await photoPixels();
  for (const attempt of ATTEMPTS) {
    const raw = { width: source.width, height: source.height, channels: 1 as const };
    const prepared = await greyOf(attempt.prepare(sharp(source.data, { raw })));
    const results = await readBarcodes(rgbaOf(prepared), PREPARED);
    const done = await finish(results, attempt.name, async () =>
      attempt.turns ? prepared : source,
    );
    if (done) return done;
  }
  return { codes: [], attempt: 'none' };
}

/** One byte per pixel, 0 black to 255 white. */
interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

async function greyOf(image: Sharp): Promise<Grey> {
  const { data, info } = await image
    .greyscale()
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected one grey channel, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/**
 * zxing-wasm takes RGBA pixels only (the DOM's ImageData), so the grey level is copied into R, G
 * and B. (Asking sharp for RGBA after `greyscale()` returned one byte per pixel, which ZXing
 * then read as a quarter-size tiled image.)
 */
function rgbaOf(grey: Grey) {
  const rgba = new Uint8ClampedArray(grey.width * grey.height * 4);
  for (let from = 0, to = 0; from < grey.data.length; from++, to += 4) {
    const level = grey.data[from];
    rgba[to] = level;
    rgba[to + 1] = level;
    rgba[to + 2] = level;
    rgba[to + 3] = 255;
  }
  return { data: rgba, width: grey.width, height: grey.height, colorSpace: 'srgb' as const };
}

/** A code as the API reports it; its quality measured on `grey` when given (same frame). */
function described(r: ReadResult, grey?: Grey & { stride: number }): DecodedCode {
  const corners = [
    r.position.topLeft,
    r.position.topRight,
    r.position.bottomRight,
    r.position.bottomLeft,
  ].map(({ x, y }) => ({ x, y }));
  return {
    text: r.text,
    format: r.format,
    errorCorrection: r.ecLevel,
    version: r.version,
    corners,
    quality: grey
      ? assessQuality(grey, r.format, corners, r.symbol, unusedErrorCorrection(r.extra))
      : null,
  };
}

/**
 * ZXing's retries (scales, rotations, inversion) can report one symbol several times, at
 * scattered positions on a faint image (seen: 7 reports of one code after contrast stretching).
 * One code per text and format is kept: every code we issue has its own content, so two equal
 * reports in one image are one symbol.
 */
function distinct(codes: ReadResult[]): ReadResult[] {
  const seen = new Set<string>();
  return codes.filter((code) => {
    const key = `${code.format}\u0000${code.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
