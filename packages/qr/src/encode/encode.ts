/**
 * QR Code symbol encoding (ISO/IEC 18004:2015 clause 7): segments -> bit stream -> codewords with
 * Reed-Solomon error correction -> module matrix with the best (or requested) mask.
 */
import { QrArgumentError, QrCapacityError } from '../errors.js';
import { BitWriter } from './bit-writer.js';
import { penaltyScore } from './penalty.js';
import { reedSolomonRemainder } from './reed-solomon.js';
import { analyzeText, optimalSegments } from './segmentation.js';
import {
  ECI_UTF8,
  byteSegment,
  eciSegment,
  totalBits,
  versionGroup,
  writeSegment,
  type Segment,
} from './segments.js';
import { maskPattern, symbolTemplate, type SymbolTemplate } from './symbol-template.js';
import { copyBitMatrix, setModule, toModuleBytes, xorInto, type BitMatrix } from './bit-matrix.js';
import {
  ECC_FORMAT_BITS,
  ECC_LEVELS,
  MAX_VERSION,
  MIN_VERSION,
  dataCodewords,
  eccBlockCount,
  eccCodewordsPerBlock,
  rawDataModules,
  type ErrorCorrectionLevel,
} from './tables.js';

export interface EncodeOptions {
  /** Error-correction level; default 'M' (15 % recovery). */
  ecc?: ErrorCorrectionLevel;
  /** Smallest and largest version to consider; defaults 1 and 40. */
  minVersion?: number;
  maxVersion?: number;
  /** Data mask 0-7; by default the one with the lowest penalty score (clause 7.8.3). */
  mask?: number;
  /** Raise the error-correction level while the data still fits the chosen version. */
  boostEcc?: boolean;
  /**
   * Start the data with an ECI designator for UTF-8 (assignment 26, AIM ECI specification).
   * `'auto'` (default): when the text has a character outside ASCII and is not in Kanji mode.
   * Byte mode without an ECI is ISO-8859-1 by the standard (ISO/IEC 18004:2015 clause 7.4.2), so
   * readers guess: zbar read 1 in 60 random Unicode texts as Shift JIS mojibake without it, and
   * every one exactly with it (packages/qr/test/readers.test.ts); ZXing reads both. `false` leaves
   * it out for old readers that print the designator; `true` adds it to ASCII text too.
   */
  eci?: boolean | 'auto';
  /**
   * Allow Kanji mode (Shift JIS, 13 bits per character) for Japanese text. Used only when every
   * non-ASCII character is Kanji-encodable and `eci` is off; otherwise the text goes as UTF-8.
   */
  kanji?: boolean;
}

/** An encoded QR Code symbol. */
export interface QrCode {
  readonly version: number;
  readonly ecc: ErrorCorrectionLevel;
  readonly mask: number;
  /** Side length in modules, quiet zone excluded. */
  readonly size: number;
  /** size * size modules, row by row; 1 = dark. */
  readonly modules: Uint8Array;
  /** The segments the data was encoded in. */
  readonly segments: readonly Segment[];
}

interface Resolved {
  ecc: ErrorCorrectionLevel;
  minVersion: number;
  maxVersion: number;
  mask: number;
  boostEcc: boolean;
}

function resolveOptions(options: EncodeOptions): Resolved {
  const ecc = options.ecc ?? 'M';
  if (!ECC_LEVELS.includes(ecc)) throw new QrArgumentError('ecc', ecc, "one of 'L', 'M', 'Q', 'H'");
  const minVersion = options.minVersion ?? MIN_VERSION;
  const maxVersion = options.maxVersion ?? MAX_VERSION;
  if (!Number.isInteger(minVersion) || minVersion < MIN_VERSION || minVersion > MAX_VERSION) {
    throw new QrArgumentError('minVersion', minVersion, 'integer [1..40]');
  }
  if (!Number.isInteger(maxVersion) || maxVersion < minVersion || maxVersion > MAX_VERSION) {
    throw new QrArgumentError('maxVersion', maxVersion, `integer [${minVersion}..40]`);
  }
  const mask = options.mask ?? -1;
  if (!Number.isInteger(mask) || mask < -1 || mask > 7) {
    throw new QrArgumentError('mask', options.mask, 'integer [0..7]');
  }
  return { ecc, minVersion, maxVersion, mask, boostEcc: options.boostEcc ?? false };
}

/** Encodes Unicode text with optimal segmentation; byte-mode parts are UTF-8. */
export function encodeText(text: string, options: EncodeOptions = {}): QrCode {
  if (typeof text !== 'string') throw new QrArgumentError('text', text, 'string');
  const resolved = resolveOptions(options);
  // ECI 26 announces UTF-8; it would also re-interpret Kanji segments, so it excludes Kanji mode.
  const wanted = options.eci ?? 'auto';
  if (wanted !== 'auto' && typeof wanted !== 'boolean')
    throw new QrArgumentError('eci', wanted, "true, false or 'auto'");
  let info = analyzeText(text, wanted !== true && (options.kanji ?? false));
  // Bytes beyond characters: some character is not ASCII. In Kanji mode it is Shift JIS by spec.
  const nonAscii = info.byteStart[info.length] !== info.length;
  const eci = wanted === 'auto' ? nonAscii && !info.sjis.some((code) => code !== 0) : wanted;
  if (eci && options.kanji) info = analyzeText(text, false);
  const bySegmentGroup: (Segment[] | undefined)[] = [];
  return encodeWithChoice(resolved, info.minBits, (group) => {
    let segments = bySegmentGroup[group];
    if (!segments) {
      segments = optimalSegments(info, group);
      if (eci) segments.unshift(eciSegment(ECI_UTF8));
      bySegmentGroup[group] = segments;
    }
    return segments;
  });
}

/** Encodes raw bytes in one byte-mode segment. */
export function encodeBytes(bytes: Uint8Array, options: EncodeOptions = {}): QrCode {
  if (!(bytes instanceof Uint8Array)) throw new QrArgumentError('bytes', bytes, 'Uint8Array');
  const segments = [byteSegment(bytes)];
  return encodeWithChoice(resolveOptions(options), 0, () => segments);
}

/** Encodes segments the caller made, in the given order. */
export function encodeSegments(segments: readonly Segment[], options: EncodeOptions = {}): QrCode {
  return encodeWithChoice(resolveOptions(options), 0, () => segments);
}

/** Last version of each version group (the character count field widens after it). */
const GROUP_END = [9, 26, 40];

/**
 * `minBits` is a lower bound of the data bits: version groups whose largest symbol cannot hold it
 * are skipped without segmenting the text for them.
 */
function encodeWithChoice(
  options: Resolved,
  minBits: number,
  segmentsFor: (group: 0 | 1 | 2) => readonly Segment[],
): QrCode {
  let { ecc } = options;
  // Smallest version that fits (clause 7.3 leaves the choice to the encoder).
  let version = options.minVersion;
  let segments: readonly Segment[] = [];
  let bits = Infinity;
  let group = -1;
  for (; version <= options.maxVersion; version++) {
    const g = versionGroup(version);
    if (
      g !== group &&
      minBits > dataCodewords(Math.min(GROUP_END[g], options.maxVersion), ecc) * 8
    ) {
      version = GROUP_END[g];
      continue;
    }
    if (g !== group) {
      group = g;
      segments = segmentsFor(g);
      bits = totalBits(segments, g);
    }
    if (bits <= dataCodewords(version, ecc) * 8) break;
  }
  if (version > options.maxVersion) {
    const capacity = dataCodewords(options.maxVersion, ecc) * 8;
    const lastGroup = versionGroup(options.maxVersion);
    const needed = group === lastGroup ? bits : totalBits(segmentsFor(lastGroup), lastGroup);
    throw new QrCapacityError(needed, capacity, options.maxVersion, ecc);
  }
  if (options.boostEcc) {
    for (const higher of ECC_LEVELS.slice(ECC_LEVELS.indexOf(ecc) + 1)) {
      if (bits <= dataCodewords(version, higher) * 8) ecc = higher;
    }
  }
  const codewords = buildCodewords(segments, versionGroup(version), version, ecc);
  return drawSymbol(version, ecc, codewords, options.mask, segments);
}

/** Clauses 7.4.9-7.4.10 and 7.5-7.6: data bit stream, padding, error correction, interleaving. */
function buildCodewords(
  segments: readonly Segment[],
  group: 0 | 1 | 2,
  version: number,
  ecc: ErrorCorrectionLevel,
): Uint8Array {
  const dataLen = dataCodewords(version, ecc);
  const capacityBits = dataLen * 8;
  const stream = new BitWriter(dataLen + 4);
  for (const segment of segments) writeSegment(stream, segment, group);
  // Terminator of up to four zero bits, then zero bits to a byte boundary (already zero).
  stream.length = Math.min(stream.length + 4, capacityBits);
  stream.length = (stream.length + 7) & ~7;
  const data = stream.bytes.length === dataLen ? stream.bytes : stream.bytes.slice(0, dataLen);
  // Pad codewords 11101100 and 00010001 alternately (7.4.10).
  for (let i = stream.length >> 3, pad = 0xec; i < dataLen; i++, pad ^= 0xec ^ 0x11) data[i] = pad;

  // Table 9: blocks, the first ones one data codeword shorter when the division is uneven.
  const blocks = eccBlockCount(version, ecc);
  const eccLen = eccCodewordsPerBlock(version, ecc);
  const total = rawDataModules(version) >> 3;
  const shortBlocks = blocks - (total % blocks);
  const shortData = Math.floor(total / blocks) - eccLen;
  const ecBytes = new Uint8Array(blocks * eccLen);
  const out = new Uint8Array(total);
  for (let b = 0, start = 0; b < blocks; b++) {
    const len = shortData + (b < shortBlocks ? 0 : 1);
    reedSolomonRemainder(data, start, start + len, eccLen, ecBytes, b * eccLen);
    start += len;
  }
  // Clause 7.6: interleave data codewords block by block, then error-correction codewords.
  let k = 0;
  for (let i = 0; i <= shortData; i++) {
    for (let b = 0, start = 0; b < blocks; b++) {
      const len = shortData + (b < shortBlocks ? 0 : 1);
      if (i < len) out[k++] = data[start + i];
      start += len;
    }
  }
  for (let i = 0; i < eccLen; i++) {
    for (let b = 0; b < blocks; b++) out[k++] = ecBytes[b * eccLen + i];
  }
  return out;
}

function drawSymbol(
  version: number,
  ecc: ErrorCorrectionLevel,
  codewords: Uint8Array,
  requestedMask: number,
  segments: readonly Segment[],
): QrCode {
  const template = symbolTemplate(version);
  const { size, pathX, pathY } = template;
  const unmasked = copyBitMatrix(template.base);
  const bitCount = codewords.length * 8;
  for (let i = 0; i < bitCount; i++) {
    if ((codewords[i >> 3] << (i & 7)) & 0x80) setModule(unmasked, pathX[i], pathY[i]);
  }
  const candidate = copyBitMatrix(unmasked);
  let mask = requestedMask;
  if (mask < 0) {
    let best = Infinity;
    for (let m = 0; m < 8; m++) {
      applyMask(template, candidate, unmasked, ecc, m);
      const score = penaltyScore(candidate);
      if (score < best) {
        best = score;
        mask = m;
      }
    }
  }
  applyMask(template, candidate, unmasked, ecc, mask);
  return { version, ecc, mask, size, modules: toModuleBytes(candidate), segments };
}

/** Clause 7.9: 5 data bits (level, mask) + BCH(15,5) remainder (generator 0x537), XOR 0x5412. */
const FORMAT_BITS = new Uint16Array(32);
for (let data = 0; data < 32; data++) {
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  FORMAT_BITS[data] = ((data << 10) | rem) ^ 0x5412;
}

/** target = unmasked with data mask `mask` applied and its format information drawn. */
function applyMask(
  template: SymbolTemplate,
  target: BitMatrix,
  unmasked: BitMatrix,
  ecc: ErrorCorrectionLevel,
  mask: number,
): void {
  xorInto(target, unmasked, maskPattern(template, mask));
  const bits = FORMAT_BITS[(ECC_FORMAT_BITS[ecc] << 3) | mask];
  const { formatX, formatY } = template;
  for (let i = 0; i < 15; i++) {
    if ((bits >>> i) & 1) {
      setModule(target, formatX[i], formatY[i]);
      setModule(target, formatX[15 + i], formatY[15 + i]);
    }
  }
}
