/**
 * Constant tables of ISO/IEC 18004:2015, indexed by version (1-40) and error-correction level.
 */

export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

export const ECC_LEVELS: readonly ErrorCorrectionLevel[] = ['L', 'M', 'Q', 'H'];

/** Index of each level in the tables below. */
export const ECC_INDEX: Readonly<Record<ErrorCorrectionLevel, number>> = { L: 0, M: 1, Q: 2, H: 3 };

/** Table 12 (format information): the two error-correction level bits. */
export const ECC_FORMAT_BITS: Readonly<Record<ErrorCorrectionLevel, number>> = {
  L: 1,
  M: 0,
  Q: 3,
  H: 2,
};

export const MIN_VERSION = 1;
export const MAX_VERSION = 40;

// Table 9: error-correction codewords per block, by level then version (index 0 unused).
// prettier-ignore
const ECC_CODEWORDS_PER_BLOCK: readonly (readonly number[])[] = [
  [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];

// Table 9: number of error-correction blocks, by level then version (index 0 unused).
// prettier-ignore
const ECC_BLOCK_COUNT: readonly (readonly number[])[] = [
  [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

export function eccCodewordsPerBlock(version: number, ecc: ErrorCorrectionLevel): number {
  return ECC_CODEWORDS_PER_BLOCK[ECC_INDEX[ecc]][version];
}

export function eccBlockCount(version: number, ecc: ErrorCorrectionLevel): number {
  return ECC_BLOCK_COUNT[ECC_INDEX[ecc]][version];
}

/** Side length in modules (clause 5.3.1: 21 + 4 per version step). */
export function symbolSize(version: number): number {
  return version * 4 + 17;
}

/**
 * Modules available for data and error-correction codewords (Table 1, column "data modules
 * except function patterns"), remainder bits included: the symbol area minus finder patterns with
 * separators and format areas (3 * 64 + 31 = 225 modules), timing patterns, alignment patterns
 * and, from version 7, the two version-information blocks (2 * 18 modules).
 */
export function rawDataModules(version: number): number {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const alignCount = Math.floor(version / 7) + 2;
    result -= (25 * alignCount - 10) * alignCount - 55;
    if (version >= 7) result -= 36;
  }
  return result;
}

/** Data codewords (Table 7) = total codewords minus error-correction codewords. */
export function dataCodewords(version: number, ecc: ErrorCorrectionLevel): number {
  return (
    (rawDataModules(version) >> 3) -
    eccCodewordsPerBlock(version, ecc) * eccBlockCount(version, ecc)
  );
}

/**
 * Centre coordinates of alignment patterns (Annex E, Table E.1). The table is regular: evenly
 * spaced from the far edge towards 6, the step rounded up to an even number.
 */
export function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const positions = [6];
  for (let pos = symbolSize(version) - 7; positions.length < count; pos -= step) {
    positions.splice(1, 0, pos);
  }
  return positions;
}
