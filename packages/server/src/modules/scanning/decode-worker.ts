/**
 * A decode worker thread: ZXing-C++ (zxing-wasm), its .wasm read from node_modules, reporting
 * every code: QR first, also Micro QR, DataMatrix and Code 128. `tryHarder`, `tryRotate`,
 * `tryInvert` and `tryDownscale` are ZXing's own retries (rotated, dark-background, large photos).
 * sharp (libvips) turns the file into grey pixels once — PNG, JPEG, GIF or WebP — and those pixels
 * serve both ZXing and the quality report. When the image as it is gives nothing, prepared
 * versions are tried in turn (see ATTEMPTS), and the answer says which one found the codes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp, { type Sharp } from 'sharp';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { assessQuality, unusedErrorCorrection, type QualityReport } from './quality.js';

export interface DecodeTask {
  bytes: Uint8Array;
  maxPixels: number;
}

export interface DecodeResult {
  codes: DecodedCode[];
  /** The pass that found them: `as-is`, then the ATTEMPTS' names; `none` when nothing did. */
  attempt: string;
}

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
  /** Print quality read from the photo; null for Code 128 (a linear code). */
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
  let photo: Grey;
  try {
    // A transparent background reads as white, as it looks on a screen.
    photo = await greyOf(
      sharp(task.bytes, { limitInputPixels: task.maxPixels }).flatten({ background: '#ffffff' }),
    );
  } catch (error) {
    return { error: (error as Error).message };
  }
  const first = await read(photo, photo);
  if (first.length) return { codes: first, attempt: 'as-is' };
  for (const attempt of ATTEMPTS) {
    const raw = { width: photo.width, height: photo.height, channels: 1 as const };
    const prepared = await greyOf(attempt.prepare(sharp(photo.data, { raw })));
    const codes = await read(prepared, attempt.turns ? prepared : photo);
    if (codes.length) return { codes, attempt: attempt.name };
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

/** Codes found in `image`, their quality measured on `measured` (same geometry). */
async function read(image: Grey, measured: Grey): Promise<DecodedCode[]> {
  const results = await readBarcodes(rgbaOf(image), {
    formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 32,
  });
  const grey = { ...measured, stride: 1 };
  const codes = results
    .filter((r) => r.isValid)
    .map((r) => {
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
        quality: assessQuality(grey, r.format, corners, r.symbol, unusedErrorCorrection(r.extra)),
      };
    });
  return distinct(codes);
}

/**
 * ZXing's retries (scales, rotations, inversion) can report one symbol several times, at
 * scattered positions on a faint image (seen: 7 reports of one code after contrast stretching).
 * One code per text and format is kept: every code we issue has its own content, so two equal
 * reports in one image are one symbol.
 */
function distinct(codes: DecodedCode[]): DecodedCode[] {
  const seen = new Set<string>();
  return codes.filter((code) => {
    const key = `${code.format}\u0000${code.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
