/**
 * Verification before a toolpath reaches a machine: the burns our interpreter reads from the
 * G-code are drawn as the spot would mark the material (every pixel within half a spot of a burn
 * goes dark), and the picture is decoded by the scanning module's decoder. A toolpath that does
 * not decode to the item's content is refused.
 */
import sharp from 'sharp';
import { decodePool } from '../../scanning/decode-pool.js';
import { bounds, type Move } from './interpret.js';

/** The drawing's longest side, px: enough for a 57x57 code at 0.3 mm modules and a 0.08 mm spot. */
const MAX_SIDE = 3000;

export interface Burnt {
  png: Buffer;
  width: number;
  height: number;
  pixelsPerMm: number;
}

/** The marks the burns leave, dark on light, with `margin` mm of bare material around them. */
export async function drawBurns(
  moves: Move[],
  spot: number,
  moduleSize: number,
  margin: number,
): Promise<Burnt> {
  const burns = moves.filter((m) => m.power > 0 && m.kind === 'feed');
  const box = bounds(burns);
  const minX = box.minX - margin;
  const maxY = box.maxY + margin;
  const spanX = box.maxX + margin - minX;
  const spanY = maxY - (box.minY - margin);
  // At least 6 px per module and 2 px per spot, so stripes between lines show if they are there.
  const wanted = Math.max(6 / moduleSize, 2 / spot);
  const pixelsPerMm = Math.min(wanted, MAX_SIDE / Math.max(spanX, spanY));
  const width = Math.ceil(spanX * pixelsPerMm);
  const height = Math.ceil(spanY * pixelsPerMm);
  const pixels = Buffer.alloc(width * height, 235);
  const radius = Math.max(spot / 2, 0.5 / pixelsPerMm) * pixelsPerMm;
  for (const burn of burns) {
    const ax = (burn.from.x - minX) * pixelsPerMm;
    const ay = (maxY - burn.from.y) * pixelsPerMm;
    const bx = (burn.to.x - minX) * pixelsPerMm;
    const by = (maxY - burn.to.y) * pixelsPerMm;
    const dx = bx - ax;
    const dy = by - ay;
    const lengthSquared = dx * dx + dy * dy || 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + radius));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - radius));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + radius));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        // Distance from the pixel centre to the segment.
        const px = x + 0.5;
        const py = y + 0.5;
        const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
        const ex = px - (ax + t * dx);
        const ey = py - (ay + t * dy);
        if (ex * ex + ey * ey <= radius * radius) pixels[y * width + x] = 30;
      }
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return { png, width, height, pixelsPerMm };
}

export interface Verification {
  ok: boolean;
  /** What the decoder read from the drawn burns. */
  decoded: string[];
}

export async function verifyToolpath(
  moves: Move[],
  expected: string,
  options: { spot: number; moduleSize: number; quietZone: number },
): Promise<Verification & { drawing: Burnt }> {
  const drawing = await drawBurns(
    moves,
    options.spot,
    options.moduleSize,
    options.quietZone * options.moduleSize,
  );
  const result = await decodePool().run({
    bytes: drawing.png,
    type: 'png',
    maxPixels: drawing.width * drawing.height,
    quality: false,
  });
  const decoded = 'error' in result ? [] : result.codes.map((code) => code.text);
  return { ok: decoded.includes(expected), decoded, drawing };
}
