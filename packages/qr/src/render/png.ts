/**
 * PNG output (ISO/IEC 15948), written directly: a QR code is a two-colour image at an integer
 * scale, so it is stored as 1 bit per pixel — greyscale for black on white, a two-entry palette
 * (with tRNS for alpha) otherwise. Platform-neutral: no Node built-ins, so browsers can use it.
 *
 * Why by hand: general image libraries (pngjs, sharp) start from 32-bit RGBA pixels, 32x more data
 * to build and compress; node-qrcode's PNG path draws 530-640 codes/s for short payloads on this
 * machine. Here each module row is packed once and compressed by png-deflate.ts, which turns the
 * repeated pixel rows into LZ77 matches. bench/qr.bench.js measures the difference.
 */
import { zlibScanlines } from './png-deflate.js';
import type { QrCode } from '../encode/encode.js';
import { QrArgumentError } from '../errors.js';
import { parseColor, type Rgba } from './color.js';
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
}

/** Largest image side we write, to bound memory (16384² 1-bit pixels = 32 MiB raw). */
export const MAX_PNG_SIDE = 16_384;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

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
  const dark = options.dark === undefined ? BLACK : parseColor(options.dark, 'dark');
  const light = options.light === undefined ? WHITE : parseColor(options.light, 'light');
  const greyscale = isOpaque(dark, 0) && isOpaque(light, 255);

  const rowBytes = (side + 7) >> 3;
  const idat = zlibScanlines(
    moduleRows(qr, margin, scale, rowBytes, greyscale),
    rowBytes + 1,
    scale,
  );

  // Signature, IHDR, [PLTE, tRNS], IDAT, IEND written straight into one buffer.
  const palette = greyscale ? 0 : 12 + 6 + (light.a < 255 || dark.a < 255 ? 12 + 2 : 0);
  const out = new Uint8Array(8 + 25 + palette + 12 + idat.length + 12);
  out.set(SIGNATURE);
  const writer = new ChunkWriter(out, 8);
  writer.begin('IHDR', 13);
  writer.u32(side);
  writer.u32(side);
  writer.bytes([1, greyscale ? 0 : 3, 0, 0, 0]); // bit depth 1; greyscale or indexed; no interlace
  writer.end();
  if (!greyscale) {
    // Palette index 0 = light, 1 = dark (bits are set for dark modules).
    writer.begin('PLTE', 6);
    writer.bytes([light.r, light.g, light.b, dark.r, dark.g, dark.b]);
    writer.end();
    if (light.a < 255 || dark.a < 255) {
      writer.begin('tRNS', 2);
      writer.bytes([light.a, dark.a]);
      writer.end();
    }
  }
  writer.begin('IDAT', idat.length);
  writer.bytes(idat);
  writer.end();
  writer.begin('IEND', 0);
  writer.end();
  return out;
}

const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 255 };
const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 255 };

function isOpaque(c: Rgba, v: number): boolean {
  return c.r === v && c.g === v && c.b === v && c.a === 255;
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
 * One scanline (filter byte None + packed pixels) per module row, quiet zone included; each stands
 * for `scale` pixel rows, which png-deflate.ts writes as repeats.
 */
function moduleRows(
  qr: QrCode,
  margin: number,
  scale: number,
  rowBytes: number,
  greyscale: boolean,
): Uint8Array {
  const stride = rowBytes + 1;
  const { size, modules } = qr;
  const count = size + 2 * margin;
  const rows = new Uint8Array(stride * count);
  // In greyscale a set bit is white, so rows are drawn dark = 1 and then inverted.
  const invert = greyscale ? 0xff : 0;
  const padBits = rowBytes * 8 - count * scale;
  for (let my = 0; my < count; my++) {
    const start = my * stride;
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
        setBits(rows, start + 1, (runStart + margin) * scale, (qx + margin) * scale);
      }
    }
    if (invert) {
      for (let i = start + 1; i <= start + rowBytes; i++) rows[i] ^= invert;
      // Padding bits past the image edge stay zero, so equal rows stay byte-equal.
      if (padBits) rows[start + rowBytes] &= (0xff << padBits) & 0xff;
    }
  }
  return rows;
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

/** Writes PNG chunks (length, type, data, CRC-32 of type and data) into a preallocated buffer. */
class ChunkWriter {
  private start = 0;

  constructor(
    private readonly out: Uint8Array,
    private pos: number,
  ) {}

  begin(type: string, length: number): void {
    this.u32(length);
    this.start = this.pos;
    for (let i = 0; i < 4; i++) this.out[this.pos++] = type.charCodeAt(i);
  }

  u32(value: number): void {
    this.out[this.pos++] = value >>> 24;
    this.out[this.pos++] = (value >>> 16) & 0xff;
    this.out[this.pos++] = (value >>> 8) & 0xff;
    this.out[this.pos++] = value & 0xff;
  }

  bytes(data: ArrayLike<number>): void {
    if (data instanceof Uint8Array) this.out.set(data, this.pos);
    else for (let i = 0; i < data.length; i++) this.out[this.pos + i] = data[i];
    this.pos += data.length;
  }

  end(): void {
    this.u32(crc32(this.out.subarray(this.start, this.pos)));
  }
}

/** CRC-32 (ISO 3309, as PNG requires), table-driven; chunks here are small. */
const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
