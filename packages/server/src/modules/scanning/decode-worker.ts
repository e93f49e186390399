/**
 * A decode worker thread: ZXing-C++ (zxing-wasm), its .wasm read from node_modules, reporting
 * every code: QR first, also Micro QR, DataMatrix and Code 128. `tryHarder`, `tryRotate`,
 * `tryInvert` and `tryDownscale` are ZXing's own retries (rotated, dark-background, large photos).
 * ZXing reads PNG, JPEG, GIF and BMP files itself; WebP is decoded by sharp (libvips). When the
 * image as it is gives nothing, prepared versions are tried in turn (see ATTEMPTS), and the
 * answer says which one found the codes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp, { type Sharp } from 'sharp';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

export interface DecodeTask {
  bytes: Uint8Array;
  /** The type read from the header: png, jpg, gif, bmp or webp. */
  type: string;
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
 * (ZXing's rotation retries are quarter turns). Corners found in a turned image are in its frame.
 */
const ATTEMPTS: { name: string; prepare: (image: Sharp) => Sharp }[] = [
  { name: 'contrast', prepare: (image) => image.normalise() },
  { name: 'equalised', prepare: (image) => image.clahe({ width: 32, height: 32, maxSlope: 3 }) },
  { name: 'denoised', prepare: (image) => image.median(5).normalise() },
  { name: 'turned', prepare: (image) => image.rotate(45, { background: '#ffffff' }) },
];

export interface DecodedCode {
  text: string;
  format: string;
  /** L, M, Q or H for QR codes; empty when the format has none. */
  errorCorrection: string;
  version: string;
  /** Corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
  corners: { x: number; y: number }[];
}

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
const ready = prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});

export default async function decode(task: DecodeTask): Promise<DecodeResult | { error: string }> {
  await ready;
  const grey = () => sharp(task.bytes, { limitInputPixels: task.maxPixels }).greyscale();
  let first: DecodedCode[] | { error: string };
  try {
    first = task.type === 'webp' ? await read(await pixels(grey())) : await read(task.bytes);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if ('error' in first) return first;
  if (first.length) return { codes: first, attempt: 'as-is' };
  for (const attempt of ATTEMPTS) {
    const codes = await read(await pixels(attempt.prepare(grey())));
    if (!('error' in codes) && codes.length) return { codes, attempt: attempt.name };
  }
  return { codes: [], attempt: 'none' };
}

/** RGBA pixels, the shape of the DOM's ImageData that zxing-wasm takes (no DOM types here). */
interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  colorSpace: 'srgb';
}
type ReaderInput = Parameters<typeof readBarcodes>[0];

async function pixels(image: Sharp): Promise<Pixels> {
  const { data, info } = await image
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    colorSpace: 'srgb',
  };
}

async function read(image: Uint8Array | Pixels): Promise<DecodedCode[] | { error: string }> {
  const results = await readBarcodes(image as ReaderInput, {
    formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 32,
  });
  // zxing reports a file it cannot read as one invalid result with an error and no format.
  const unreadable = results.find((r) => !r.isValid && r.error && !r.format);
  if (unreadable && results.length === 1) return { error: unreadable.error };
  const codes = results
    .filter((r) => r.isValid)
    .map((r) => ({
      text: r.text,
      format: r.format,
      errorCorrection: r.ecLevel,
      version: r.version,
      corners: [
        r.position.topLeft,
        r.position.topRight,
        r.position.bottomRight,
        r.position.bottomLeft,
      ].map(({ x, y }) => ({ x, y })),
    }));
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
