// A synthetic set of phone photos of codes, each the UID of a part: plain labels, rotations,
// blur, noise, perspective, low contrast, uneven light, dark backgrounds, small codes and
// "engraved" marks (grey on grey metal with grain). Drawn by inverse-mapping every pixel through
// a homography onto the code's module grid (4x supersampled), then blurred and JPEG-encoded with
// sharp, as a phone would send them. Seeded: the same set every run.
import sharp from 'sharp';
import { encodeText, toMatrix } from '../packages/qr/dist/index.js';

function seeded(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kinds of photo in the set, each a function of a random source giving drawing options. */
export const KINDS = {
  plain: (r) => ({ module: 4 + r() * 4 }),
  rotated: (r) => ({ module: 4 + r() * 3, angle: 10 + r() * 70 }),
  blurred: (r) => ({ module: 5 + r() * 3, blur: 2.5 + r() * 2 }),
  noisy: (r) => ({ module: 5 + r() * 3, noise: 60 + r() * 50 }),
  perspective: (r) => ({ module: 5 + r() * 3, jitter: 0.18 + r() * 0.17, angle: r() * 20 }),
  // Under ZXing's minimum local contrast (24 levels): faint marks, as a light laser pass gives.
  'low-contrast': (r) => {
    const dark = 110 + r() * 20;
    return { module: 5 + r() * 3, dark, light: dark + 10 + r() * 12, background: dark + 8 };
  },
  'uneven-light': (r) => ({
    module: 5 + r() * 3,
    gradient: 0.75 + r() * 0.2,
    dark: 60,
    light: 200,
  }),
  inverted: (r) => ({ module: 5 + r() * 3, dark: 235, light: 25, background: 40 }),
  small: (r) => ({ module: 1.6 + r() * 1.1 }),
  // Grey on grey metal with grain, slightly out of focus and turned.
  engraved: (r) => {
    const dark = 100 + r() * 20;
    return {
      module: 5 + r() * 3,
      dark,
      light: dark + 22 + r() * 15,
      background: dark + 20,
      noise: 25 + r() * 20,
      blur: 1.2,
      angle: r() * 30,
    };
  },
};

/** The 3x3 homography taking the unit square to the quad p0..p3 (Heckbert 1989). */
function squareToQuad([p0, p1, p2, p3]) {
  const dx1 = p1.x - p2.x,
    dx2 = p3.x - p2.x,
    dy1 = p1.y - p2.y,
    dy2 = p3.y - p2.y;
  const sx = p0.x - p1.x + p2.x - p3.x,
    sy = p0.y - p1.y + p2.y - p3.y;
  const det = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / det,
    h = (dx1 * sy - sx * dy1) / det;
  return [
    [p1.x - p0.x + g * p1.x, p3.x - p0.x + h * p3.x, p0.x],
    [p1.y - p0.y + g * p1.y, p3.y - p0.y + h * p3.y, p0.y],
    [g, h, 1],
  ];
}

function invert3([[a, b, c], [d, e, f], [g, h, i]]) {
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** One photo: a JPEG of `text`'s code drawn with `o` on a width x height frame. */
export async function photo(text, o, width, height, random) {
  const matrix = toMatrix(encodeText(text), 4);
  const n = matrix.length;
  const scale = width / 640;
  const side = n * o.module * scale;
  const cx = width / 2 + (random() - 0.5) * (width - side * 1.5) * 0.5;
  const cy = height / 2 + (random() - 0.5) * (height - side * 1.5) * 0.5;
  const angle = ((o.angle ?? 0) * Math.PI) / 180;
  const corners = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([u, v]) => {
    const ju = u + (o.jitter ? (random() - 0.5) * 2 * o.jitter : 0);
    const jv = v + (o.jitter ? (random() - 0.5) * 2 * o.jitter : 0);
    const x = (ju * side) / 2,
      y = (jv * side) / 2;
    return {
      x: cx + x * Math.cos(angle) - y * Math.sin(angle),
      y: cy + x * Math.sin(angle) + y * Math.cos(angle),
    };
  });
  const toCode = invert3(squareToQuad(corners));
  const dark = o.dark ?? 25,
    light = o.light ?? 235,
    background = o.background ?? 128;
  const pixels = Buffer.alloc(width * height);
  const SUB = [0.125, 0.375, 0.625, 0.875];
  for (let y = 0; y < height; y++) {
    const lit = o.gradient ? 1 - o.gradient * (y / height) : 1;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const sy of SUB)
        for (const sx of SUB) {
          const px = x + sx,
            py = y + sy;
          const w = toCode[2][0] * px + toCode[2][1] * py + toCode[2][2];
          const u = (toCode[0][0] * px + toCode[0][1] * py + toCode[0][2]) / w;
          const v = (toCode[1][0] * px + toCode[1][1] * py + toCode[1][2]) / w;
          if (u < 0 || v < 0 || u >= 1 || v >= 1) sum += background;
          else sum += matrix[Math.floor(v * n)][Math.floor(u * n)] ? dark : light;
        }
      let level = (sum / 16) * lit;
      if (o.noise) level += (random() + random() + random() - 1.5) * o.noise * 1.4;
      pixels[y * width + x] = Math.max(0, Math.min(255, Math.round(level)));
    }
  }
  let image = sharp(pixels, { raw: { width, height, channels: 1 } });
  if (o.blur) image = image.blur(o.blur * scale);
  return image.jpeg({ quality: 85 }).toBuffer();
}

/** `perKind` photos of each kind, width x height, with the UID each must decode to. */
export async function corpus(perKind, width, height) {
  const random = seeded(42);
  const photos = [];
  let serial = 1;
  for (const [kind, options] of Object.entries(KINDS))
    for (let i = 0; i < perKind; i++) {
      const text = `PAD-V0100-L2026-11-${String(serial++).padStart(5, '0')}`;
      photos.push({ kind, text, bytes: await photo(text, options(random), width, height, random) });
    }
  return photos;
}
