/**
 * Test images drawn from QR matrices: greyscale PNGs written here (zlib + node's crc32), so
 * compositions the renderer does not make — several codes in one image, a dark background, a
 * rotation — can be decoded, and PNG headers can be forged (decompression bombs).
 */
import { crc32, deflateSync } from 'node:zlib';
import { encodeText, toMatrix } from '@qrforge/qr';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 0; // greyscale
  return chunk('IHDR', data);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG whose header declares width x height but which holds almost nothing. */
export function forgedPng(width: number, height: number): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** A JPEG that is only headers (start, JFIF, a baseline frame of width x height, end). */
export function forgedJpeg(width: number, height: number): Buffer {
  const frame = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ]);
  const jfif = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), jfif, frame, Buffer.from([0xff, 0xd9])]);
}

/** A GIF whose logical screen is width x height, with one 1 x 1 image. */
export function forgedGif(width: number, height: number): Buffer {
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  const image = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]);
  return Buffer.concat([Buffer.from('GIF89a'), screen, image, Buffer.from([0x3b])]);
}

/** A greyscale PNG; `shade(x, y)` gives 0 (black) to 255 (white). */
export function greyPng(width: number, height: number, shade: (x: number, y: number) => number) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = shade(x, y);
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** Is (x, y) on a dark module of `text`'s code drawn at `scale` px per module from (left, top)? */
export function codeAt(text: string, scale: number, left = 0, top = 0) {
  const matrix = toMatrix(encodeText(text), 4);
  const side = matrix.length * scale;
  return {
    side,
    dark: (x: number, y: number) => {
      const mx = Math.floor((x - left) / scale);
      const my = Math.floor((y - top) / scale);
      return mx >= 0 && my >= 0 && mx < matrix.length && my < matrix.length && matrix[my][mx];
    },
  };
}
