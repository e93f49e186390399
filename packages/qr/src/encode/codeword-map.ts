/**
 * Which codeword, and which error-correction block, each module of a symbol carries. Used to
 * judge how much a logo (or any damage) over an area costs in correctable errors.
 */
import type { ErrorCorrectionLevel } from './tables.js';
import { eccBlockCount, eccCodewordsPerBlock, rawDataModules } from './tables.js';
import { symbolTemplate } from './symbol-template.js';

export interface CodewordMap {
  /** Per module (y * size + x): index of the codeword in transmission order, or -1. */
  readonly codewordOf: Int32Array;
  /** Per codeword in transmission order: its block. */
  readonly blockOf: Uint16Array;
  readonly blocks: number;
  /** Errors each block can correct: (error-correction codewords - misdecode protection) / 2. */
  readonly correctablePerBlock: number;
}

/**
 * Table 9 note: codewords reserved against misdecoding for the smallest symbols (p), which
 * reduce the errors a block can correct.
 */
function misdecodeProtection(version: number, ecc: ErrorCorrectionLevel): number {
  if (version === 1) return ecc === 'L' ? 3 : ecc === 'M' ? 2 : 1;
  if (version === 2 && ecc === 'L') return 2;
  if (version === 3 && ecc === 'L') return 1;
  return 0;
}

export function codewordMap(version: number, ecc: ErrorCorrectionLevel): CodewordMap {
  const template = symbolTemplate(version);
  const { size, pathX, pathY } = template;
  const total = rawDataModules(version) >> 3;
  const codewordOf = new Int32Array(size * size).fill(-1);
  for (let bit = 0; bit < total * 8; bit++) codewordOf[pathY[bit] * size + pathX[bit]] = bit >> 3;
  // Clause 7.6 interleaving, as in the encoder: data codewords block by block, then ECC ones.
  const blocks = eccBlockCount(version, ecc);
  const eccLen = eccCodewordsPerBlock(version, ecc);
  const shortBlocks = blocks - (total % blocks);
  const shortData = Math.floor(total / blocks) - eccLen;
  const blockOf = new Uint16Array(total);
  let k = 0;
  for (let i = 0; i <= shortData; i++) {
    for (let b = 0; b < blocks; b++) if (i < shortData || b >= shortBlocks) blockOf[k++] = b;
  }
  for (let i = 0; i < eccLen; i++) for (let b = 0; b < blocks; b++) blockOf[k++] = b;
  return {
    codewordOf,
    blockOf,
    blocks,
    correctablePerBlock: Math.floor((eccLen - misdecodeProtection(version, ecc)) / 2),
  };
}
