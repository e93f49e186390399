/**
 * Test oracle: the mask penalty of ISO/IEC 18004 clause 7.8.3 computed module by module, the
 * plain way. The encoder's bit-parallel version (src/encode/penalty.ts) must agree with it.
 *
 * Mask evaluation (Table 11): lower scores are better.
 *   N1 = 3: each run of 5 + i same-coloured modules in a row or column scores N1 + i.
 *   N2 = 3: each 2x2 block of one colour.
 *   N3 = 40: each 1:1:3:1:1 finder-like pattern with 4 light modules on one side. The area
 *           outside the symbol counts as light (it is the quiet zone), as in clause 7.8.3.1.
 *   N4 = 10: for each 5 % the dark proportion deviates from 50 %.
 */

/** Dark-light pattern 1011101 preceded (0x05D) or followed (0x5D0) by four light modules. */
const FINDER_BEFORE = 0b00001011101;
const FINDER_AFTER = 0b10111010000;

export function penaltyScore(m: Uint8Array, size: number): number {
  let score = 0;
  let dark = 0;
  for (let y = 0; y < size; y++) {
    score += linePenalty(m, y * size, 1, size);
    score += linePenalty(m, y, size, size);
  }
  for (let y = 0; y < size - 1; y++) {
    let i = y * size;
    for (let x = 0; x < size - 1; x++, i++) {
      const c = m[i];
      dark += c;
      if (c === m[i + 1] && c === m[i + size] && c === m[i + size + 1]) score += 3;
    }
    dark += m[i];
  }
  for (let i = (size - 1) * size; i < size * size; i++) dark += m[i];
  const total = size * size;
  score += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
  return score;
}

/** Rules 1 and 3 along one row (step 1) or column (step = size). */
function linePenalty(m: Uint8Array, start: number, step: number, size: number): number {
  let score = 0;
  let color = m[start];
  let run = 1;
  // Last 11 modules as bits; starts as light, which stands for the quiet zone before the line.
  let window = color;
  for (let k = 1, i = start + step; k < size; k++, i += step) {
    const c = m[i];
    if (c === color) {
      run++;
    } else {
      if (run >= 5) score += run - 2;
      color = c;
      run = 1;
    }
    window = ((window << 1) | c) & 0x7ff;
    if (window === FINDER_BEFORE || window === FINDER_AFTER) score += 40;
  }
  if (run >= 5) score += run - 2;
  // Four light quiet-zone modules after the line.
  for (let k = 0; k < 4; k++) {
    window = (window << 1) & 0x7ff;
    if (window === FINDER_AFTER) score += 40;
  }
  return score;
}
