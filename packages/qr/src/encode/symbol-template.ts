/**
 * Everything about a symbol that depends on its version alone, built once per version and cached:
 * the function patterns (clause 6.3), the order in which data modules are filled (clause 7.7.3),
 * the modules each mask pattern flips (clause 7.8.2) and the format-information positions (7.9).
 * Encoding a code then only copies the template and sets data bits along a precomputed path.
 */
import { alignmentPositions, symbolSize } from './tables.js';

export interface SymbolTemplate {
  readonly version: number;
  readonly size: number;
  /** Function-pattern modules drawn (1 = dark); format areas left light for `drawFormat`. */
  readonly base: Uint8Array;
  /** Non-function module indices in codeword placement order, remainder bits included. */
  readonly dataPath: Int32Array;
  /** Format information bit i (LSB first) goes to `formatA[i]` and `formatB[i]`. */
  readonly formatA: Int32Array;
  readonly formatB: Int32Array;
  /** Data-area module indices each mask pattern inverts; built on first use. */
  readonly maskFlips: (Int32Array | undefined)[];
}

const templates: (SymbolTemplate | undefined)[] = [];

export function symbolTemplate(version: number): SymbolTemplate {
  return (templates[version] ??= buildTemplate(version));
}

function buildTemplate(version: number): SymbolTemplate {
  const size = symbolSize(version);
  const base = new Uint8Array(size * size);
  const isFunction = new Uint8Array(size * size);
  const set = (x: number, y: number, dark: boolean) => {
    base[y * size + x] = dark ? 1 : 0;
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
  // Format information areas (7.9.1): reserved here, written per mask by drawFormat.
  const formatA = new Int32Array(15);
  const formatB = new Int32Array(15);
  for (let i = 0; i < 15; i++) {
    const [ax, ay] =
      i < 6 ? [8, i] : i === 6 ? [8, 7] : i === 7 ? [8, 8] : i === 8 ? [7, 8] : [14 - i, 8];
    const [bx, by] = i < 8 ? [size - 1 - i, 8] : [8, size - 15 + i];
    formatA[i] = ay * size + ax;
    formatB[i] = by * size + bx;
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

  return {
    version,
    size,
    base,
    dataPath: placementPath(size, isFunction),
    formatA,
    formatB,
    maskFlips: new Array<Int32Array | undefined>(8),
  };
}

/**
 * Clause 7.7.3: codeword bits fill two-module-wide columns from the right, moving upwards then
 * downwards alternately, skipping function modules and the vertical timing pattern's column.
 */
function placementPath(size: number, isFunction: Uint8Array): Int32Array {
  const path = new Int32Array(size * size);
  let n = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const index = y * size + right - j;
        if (!isFunction[index]) path[n++] = index;
      }
    }
  }
  return path.slice(0, n);
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

/** Indices of the data modules that mask `mask` inverts. */
export function maskFlips(template: SymbolTemplate, mask: number): Int32Array {
  let flips = template.maskFlips[mask];
  if (flips) return flips;
  const condition = MASK_CONDITIONS[mask];
  const { dataPath, size } = template;
  flips = new Int32Array(dataPath.length);
  let n = 0;
  for (const index of dataPath) {
    if (condition(Math.floor(index / size), index % size)) flips[n++] = index;
  }
  flips = flips.slice(0, n);
  template.maskFlips[mask] = flips;
  return flips;
}
