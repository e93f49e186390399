/**
 * Everything about a symbol that depends on its version alone, built once per version and cached:
 * the function patterns (clause 6.3), the order in which data modules are filled (clause 7.7.3),
 * the data modules each mask pattern inverts (clause 7.8.2) and the format-information positions
 * (clause 7.9). Encoding then copies the template and sets data bits along a precomputed path.
 */
import { createBitMatrix, setModule, type BitMatrix } from './bit-matrix.js';
import { alignmentPositions, symbolSize } from './tables.js';

export interface SymbolTemplate {
  readonly version: number;
  readonly size: number;
  /** Function patterns (dark modules set); format areas left light for the format bits. */
  readonly base: BitMatrix;
  /** Coordinates of the non-function modules in codeword placement order, remainder included. */
  readonly pathX: Uint8Array;
  readonly pathY: Uint8Array;
  /** Format information bit i (LSB first) goes to (formatX[i], formatY[i]) and (formatX[15 + i], formatY[15 + i]). */
  readonly formatX: Uint8Array;
  readonly formatY: Uint8Array;
  /** Data modules each mask pattern inverts, built on first use. */
  readonly masks: (BitMatrix | undefined)[];
}

const templates: (SymbolTemplate | undefined)[] = [];

export function symbolTemplate(version: number): SymbolTemplate {
  return (templates[version] ??= buildTemplate(version));
}

function buildTemplate(version: number): SymbolTemplate {
  const size = symbolSize(version);
  const base = createBitMatrix(size);
  const isFunction = new Uint8Array(size * size);
  const set = (x: number, y: number, dark: boolean) => {
    if (dark) setModule(base, x, y);
    isFunction[y * size + x] = 1;
  };

  // Timing patterns (6.3.5): row and column 6, alternating, dark at even positions.
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // Finder patterns with their separators (6.3.3, 6.3.4): 7x7 rings dark, light, dark 3x3 core.
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || x >= size || y < 0 || y >= size) continue;
        const ring = Math.max(Math.abs(dx), Math.abs(dy));
        set(x, y, ring !== 2 && ring !== 4);
      }
    }
  }
  // Alignment patterns (6.3.6): every pair of Table E.1 positions except the three finder corners.
  const align = alignmentPositions(version);
  const last = align.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          set(align[i] + dx, align[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
        }
      }
    }
  }
  // Format information areas (7.9.1): reserved here, written per mask.
  const formatX = new Uint8Array(30);
  const formatY = new Uint8Array(30);
  for (let i = 0; i < 15; i++) {
    const [ax, ay] =
      i < 6 ? [8, i] : i === 6 ? [8, 7] : i === 7 ? [8, 8] : i === 8 ? [7, 8] : [14 - i, 8];
    const [bx, by] = i < 8 ? [size - 1 - i, 8] : [8, size - 15 + i];
    [formatX[i], formatY[i], formatX[15 + i], formatY[15 + i]] = [ax, ay, bx, by];
    set(ax, ay, false);
    set(bx, by, false);
  }
  // The dark module beside the lower-left format area (7.9.1, Figure 25).
  set(8, size - 8, true);
  // Version information (7.10), versions 7 and up: BCH(18,6) code in two 6x3 blocks.
  if (version >= 7) {
    const bits = versionInformation(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }

  const [pathX, pathY] = placementPath(size, isFunction);
  return {
    version,
    size,
    base,
    pathX,
    pathY,
    formatX,
    formatY,
    masks: new Array<BitMatrix | undefined>(8),
  };
}

/**
 * Clause 7.7.3: codeword bits fill two-module-wide columns from the right, moving upwards then
 * downwards alternately, skipping function modules and the vertical timing pattern's column.
 */
function placementPath(size: number, isFunction: Uint8Array): [Uint8Array, Uint8Array] {
  const xs = new Uint8Array(size * size);
  const ys = new Uint8Array(size * size);
  let n = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (isFunction[y * size + x]) continue;
        xs[n] = x;
        ys[n++] = y;
      }
    }
  }
  return [xs.slice(0, n), ys.slice(0, n)];
}

/** Clause 7.10 / Annex D: the version number followed by its BCH(18,6) remainder (generator 0x1F25). */
function versionInformation(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

/** Table 10: the eight data mask conditions, i = row, j = column. */
const MASK_CONDITIONS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

/** The data modules mask `mask` inverts, as bit planes to XOR with. */
export function maskPattern(template: SymbolTemplate, mask: number): BitMatrix {
  let pattern = template.masks[mask];
  if (pattern) return pattern;
  const condition = MASK_CONDITIONS[mask];
  const { pathX, pathY, size } = template;
  pattern = createBitMatrix(size);
  for (let k = 0; k < pathX.length; k++) {
    if (condition(pathY[k], pathX[k])) setModule(pattern, pathX[k], pathY[k]);
  }
  template.masks[mask] = pattern;
  return pattern;
}
