/**
 * PNG output (ISO/IEC 15948), written directly: a QR code is a two-colour image at an integer
 * scale, so it is stored as 1 bit per pixel — greyscale for black on white, a two-entry palette
 * (with tRNS for alpha) otherwise. Node only (uses node:zlib).
 *
 * Why by hand: general image libraries (pngjs, sharp) start from 32-bit RGBA pixels, 32x more data
 * to build and compress; node-qrcode's PNG path draws 530-640 codes/s for short payloads on this
 * machine. Writing 1-bit rows, and filtering every repeated pixel row as "Up" (all zero bytes),
 * leaves zlib almost nothing to do. bench/qr.bench.js measures the difference.
 */
import { crc32 as zlibCrc32, deflateSync, constants } from 'node:zlib';
import type { QrCode } from '../encode/encode.js';
import { QrArgumentError } from '../errors.js';
import { parseColor } from './color.js';
import { checkMargin } from './layout.js';

export interface PngOptions {
  /** Pixels per module (exact integer scale); default 8. Ignored when `size` is given. */
  scale?: number;
  /** Target image width in pixels: the largest integer scale that fits, at least 1. */
  size?: number;
  /** Quiet zone in modules; default 4. */
  margin?: number;
  /** Dark module colour; default black. */
  dark?: string;
  /** Background colour; default white. May be transparent. */
  light?: string;
  /** zlib level 1-9; default 6. The image is so regular that higher levels gain little. */
  compressionLevel?: number;
}

/** Largest image side we write, to bound memory (16384² 1-bit pixels = 32 MiB raw). */
export const MAX_PNG_SIDE = 16_384;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const FILTER_NONE = 0;
const FILTER_UP = 2;

export function renderPng(qr: QrCode, options: PngOptions = {}): Uint8Array {
  const margin = checkMargin(options.margin);
  const modulesPerSide = qr.size + 2 * margin;
  const scale = resolveScale(options, modulesPerSide);
  const side = modulesPerSide * scale;
  if (side > MAX_PNG_SIDE) {
    throw new QrArgumentError(
      'scale',
      scale,
      `an image of at most ${MAX_PNG_SIDE} pixels per side`,
    );
  }
  const level = options.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new QrArgumentError('compressionLevel', options.compressionLevel, 'integer [1..9]');
  }
  const dark = parseColor(options.dark ?? '#000', 'dark');
  const light = parseColor(options.light ?? '#fff', 'light');
  const greyscale =
    dark.r === 0 &&
    dark.g === 0 &&
    dark.b === 0 &&
    dark.a === 255 &&
    light.r === 255 &&
    light.g === 255 &&
    light.b === 255 &&
    light.a === 255;

  const raw = rasterRows(qr, margin, scale, side, greyscale);
  const idat = deflateSync(raw, { level, strategy: constants.Z_DEFAULT_STRATEGY });

  const chunks: Uint8Array[] = [SIGNATURE];
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  ihdr[8] = 1; // bit depth
  ihdr[9] = greyscale ? 0 : 3; // colour type: greyscale or indexed
  chunks.push(chunk('IHDR', ihdr));
  if (!greyscale) {
    // Palette index 0 = light, 1 = dark (bits are set for dark modules).
    chunks.push(chunk('PLTE', Uint8Array.of(light.r, light.g, light.b, dark.r, dark.g, dark.b)));
    if (light.a < 255 || dark.a < 255) chunks.push(chunk('tRNS', Uint8Array.of(light.a, dark.a)));
  }
  chunks.push(chunk('IDAT', idat), chunk('IEND', new Uint8Array(0)));
  return concat(chunks);
}

function resolveScale(options: PngOptions, modulesPerSide: number): number {
  if (options.size !== undefined) {
    if (!Number.isInteger(options.size) || options.size < 1 || options.size > MAX_PNG_SIDE) {
      throw new QrArgumentError('size', options.size, `integer [1..${MAX_PNG_SIDE}] pixels`);
    }
    return Math.max(1, Math.floor(options.size / modulesPerSide));
  }
  const scale = options.scale ?? 8;
  if (!Number.isInteger(scale) || scale < 1 || scale > 1000) {
    throw new QrArgumentError('scale', options.scale, 'integer [1..1000]');
  }
  return scale;
}

/**
 * Filtered scanlines: the first pixel row of each module row is written in full (filter None);
 * the scale - 1 rows below it repeat it, so they are filter Up with all-zero bytes, which the
 * zero-filled buffer already holds.
 */
function rasterRows(
  qr: QrCode,
  margin: number,
  scale: number,
  side: number,
  greyscale: boolean,
): Uint8Array {
  const rowBytes = (side + 7) >> 3;
  const stride = rowBytes + 1;
  const raw = new Uint8Array(stride * side);
  // In greyscale a set bit is white, so rows are drawn dark = 1 and then inverted.
  const invert = greyscale ? 0xff : 0;
  const { size, modules } = qr;
  const modulesPerSide = size + 2 * margin;
  for (let my = 0; my < modulesPerSide; my++) {
    const y = my * scale;
    const start = y * stride;
    raw[start] = FILTER_NONE;
    const qy = my - margin;
    if (qy >= 0 && qy < size) {
      const row = qy * size;
      for (let qx = 0; qx < size;) {
        if (!modules[row + qx]) {
          qx++;
          continue;
        }
        const runStart = qx;
        while (qx < size && modules[row + qx]) qx++;
        setBits(raw, start + 1, (runStart + margin) * scale, (qx + margin) * scale);
      }
    }
    if (invert) for (let i = start + 1; i <= start + rowBytes; i++) raw[i] ^= invert;
    for (let k = 1; k < scale; k++) raw[start + k * stride] = FILTER_UP;
  }
  return raw;
}

/** Sets pixel bits [from, to) of a row, most significant bit first. */
function setBits(raw: Uint8Array, rowStart: number, from: number, to: number): void {
  let firstByte = from >> 3;
  const lastByte = (to - 1) >> 3;
  const headMask = 0xff >> (from & 7);
  const tailMask = (0xff00 >> (((to - 1) & 7) + 1)) & 0xff;
  if (firstByte === lastByte) {
    raw[rowStart + firstByte] |= headMask & tailMask;
    return;
  }
  raw[rowStart + firstByte] |= headMask;
  for (firstByte++; firstByte < lastByte; firstByte++) raw[rowStart + firstByte] = 0xff;
  raw[rowStart + lastByte] |= tailMask;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// zlib.crc32 exists from Node 20.15 / 22.2; engines requires it.
const crc32 = (data: Uint8Array): number => zlibCrc32(data) >>> 0;
