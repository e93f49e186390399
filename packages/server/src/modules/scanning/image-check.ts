/**
 * Checks an upload before any decoding: its type from the file's own header (not the name or the
 * declared type), and its pixel count from the header alone (image-size reads a few bytes), so a
 * small file declaring 20000 x 20000 pixels (a decompression bomb) is refused without allocating
 * its pixels.
 */
import { imageSize } from 'image-size';
import { AppError } from '../../errors.js';

/** What sharp (libvips) decodes for the reader. */
const DECODABLE = new Set(['png', 'jpg', 'gif', 'webp']);

export function checkImage(
  bytes: Uint8Array,
  name: string,
  maxPixels: number,
): { width: number; height: number; type: string } {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    throw new AppError(
      'SCAN_ERR_IMAGE',
      `${name} is not an image we can read (PNG, JPEG, GIF or WebP)`,
    );
  }
  const type = size.type ?? 'unknown';
  if (!DECODABLE.has(type))
    throw new AppError(
      'SCAN_ERR_IMAGE',
      `${name} is ${type.toUpperCase()}; send PNG, JPEG, GIF or WebP`,
    );
  const pixels = size.width * size.height;
  if (pixels > maxPixels)
    throw new AppError(
      'SCAN_ERR_TOO_LARGE',
      `${name} is ${size.width} x ${size.height} pixels (${pixels.toLocaleString('en')}); the limit is ${maxPixels.toLocaleString('en')} (QRFORGE_SCAN_MAX_PIXELS)`,
    );
  return { width: size.width, height: size.height, type };
}
