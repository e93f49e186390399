/**
 * Mask evaluation (ISO/IEC 18004 clause 7.8.3, Table 11), lower is better, computed on bit planes
 * (bit-matrix.ts) for 32 rows or columns at a time:
 *   N1 = 3: each run of 5 + i same-coloured modules in a row or column scores N1 + i.
 *   N2 = 3: each 2x2 block of one colour.
 *   N3 = 40: each dark-light-dark-dark-dark-light-dark (1:1:3:1:1) pattern with 4 light modules
 *           before it, and again with 4 after. Outside the symbol counts as light: it is the quiet
 *           zone (clause 7.8.3.1).
 *   N4 = 10: for each full 5 % the dark proportion deviates from 50 %.
 * test/helpers/reference-penalty.ts computes the same score module by module; tests compare them.
 */
import { popcount, type BitMatrix } from './bit-matrix.js';

export function penaltyScore(m: BitMatrix): number {
  const { size, words, rows, cols } = m;
  // Lines along x (rows) are runs through consecutive column words, and vice versa.
  let score = linePenalties(cols, size, words) + linePenalties(rows, size, words);
  score += blockPenalty(rows, size, words);
  let dark = 0;
  for (let i = 0; i < rows.length; i++) dark += popcount(rows[i]);
  const total = size * size;
  return score + (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
}

/**
 * Rules 1 and 3 for 32 lines per word. `v[i * words + w]` is step i of lanes 32w..32w+31.
 * Rule 1: with E(i) = "step i equals step i+1" and F(i) = E(i) & .. & E(i+3) (5 equal modules from
 * i), a run of L >= 5 has L - 4 positions with F set, one of them its first, so it scores
 * (L - 4) + 2 * 1 = L - 2 = N1 + (L - 5).
 */
function linePenalties(v: Uint32Array, size: number, words: number): number {
  let score = 0;
  for (let w = 0; w < words; w++) {
    const tail = size - 32 * w;
    const lanes = tail >= 32 ? -1 : (1 << tail) - 1;
    let e1 = 0;
    let e2 = 0;
    let e3 = 0;
    let previousFive = 0;
    let prev = v[w];
    for (let i = 1; i < size; i++) {
      const cur = v[i * words + w];
      const e0 = ~(prev ^ cur) & lanes;
      if (i >= 4) {
        const five = e0 & e1 & e2 & e3;
        if (five !== 0) score += popcount(five) + 2 * popcount(five & ~previousFive);
        previousFive = five;
      }
      e3 = e2;
      e2 = e1;
      e1 = e0;
      prev = cur;
    }
    // Rule 3: the core 1011101 at steps c..c+6, with light on either side.
    const at = (i: number) => (i < 0 || i >= size ? 0 : v[i * words + w]);
    for (let c = 0, k = w; c + 7 <= size; c++, k += words) {
      const core =
        v[k] &
        ~v[k + words] &
        v[k + 2 * words] &
        v[k + 3 * words] &
        v[k + 4 * words] &
        ~v[k + 5 * words] &
        v[k + 6 * words];
      if (core === 0) continue;
      const lightBefore = ~(at(c - 4) | at(c - 3) | at(c - 2) | at(c - 1));
      const lightAfter = ~(at(c + 7) | at(c + 8) | at(c + 9) | at(c + 10));
      score += 40 * (popcount(core & lightBefore) + popcount(core & lightAfter));
    }
  }
  return score;
}

/** Rule 2: 2x2 blocks, from rows y and y + 1 and their one-column shifts. */
function blockPenalty(rows: Uint32Array, size: number, words: number): number {
  let blocks = 0;
  for (let y = 0; y + 1 < size; y++) {
    const a0 = y * words;
    const b0 = a0 + words;
    for (let w = 0; w < words; w++) {
      const a = rows[a0 + w];
      const b = rows[b0 + w];
      const carry = w + 1 < words;
      const aNext = (a >>> 1) | (carry ? rows[a0 + w + 1] << 31 : 0);
      const bNext = (b >>> 1) | (carry ? rows[b0 + w + 1] << 31 : 0);
      // Valid block origins: columns 0..size-2.
      const tail = size - 1 - 32 * w;
      const lanes = tail >= 32 ? -1 : (1 << tail) - 1;
      blocks += popcount(~(a ^ b) & ~(aNext ^ bNext) & ~(a ^ aNext) & lanes);
    }
  }
  return blocks * 3;
}
