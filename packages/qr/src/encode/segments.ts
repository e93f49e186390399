/**
 * Data segments and their bit encoding (ISO/IEC 18004 clause 7.4).
 */
import type { BitWriter } from './bit-writer.js';

export type Mode = 'numeric' | 'alphanumeric' | 'byte' | 'kanji' | 'eci';

/** Table 2: mode indicators. */
export const MODE_INDICATOR: Readonly<Record<Mode, number>> = {
  numeric: 0b0001,
  alphanumeric: 0b0010,
  byte: 0b0100,
  kanji: 0b1000,
  eci: 0b0111,
};

/** Table 3: character count indicator bits for versions 1-9, 10-26, 27-40. */
const COUNT_BITS: Readonly<Record<Mode, readonly [number, number, number]>> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
  kanji: [8, 10, 12],
  eci: [0, 0, 0],
};

/** Version group (0: 1-9, 1: 10-26, 2: 27-40); the character count field width depends on it. */
export function versionGroup(version: number): 0 | 1 | 2 {
  return version <= 9 ? 0 : version <= 26 ? 1 : 2;
}

export function countBits(mode: Mode, group: 0 | 1 | 2): number {
  return COUNT_BITS[mode][group];
}

/** Table 5: the 45 characters of alphanumeric mode, by value. */
export const ALPHANUMERIC_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Alphanumeric value of each ASCII code, or -1. */
export const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHANUMERIC_CHARSET.length; i++) {
  ALPHANUMERIC_VALUE[ALPHANUMERIC_CHARSET.charCodeAt(i)] = i;
}

export type Segment =
  | { readonly mode: 'numeric' | 'alphanumeric'; readonly text: string }
  | { readonly mode: 'byte'; readonly bytes: Uint8Array }
  | { readonly mode: 'kanji'; readonly codes: Uint16Array }
  | { readonly mode: 'eci'; readonly assignment: number };

/** ECI assignment number for UTF-8 (AIM ECI specification). */
export const ECI_UTF8 = 26;

export function numericSegment(text: string): Segment {
  return { mode: 'numeric', text };
}

export function alphanumericSegment(text: string): Segment {
  return { mode: 'alphanumeric', text };
}

export function byteSegment(bytes: Uint8Array): Segment {
  return { mode: 'byte', bytes };
}

export function kanjiSegment(codes: Uint16Array): Segment {
  return { mode: 'kanji', codes };
}

export function eciSegment(assignment: number): Segment {
  return { mode: 'eci', assignment };
}

/** Number of characters the count field states for a segment. */
export function segmentChars(segment: Segment): number {
  switch (segment.mode) {
    case 'numeric':
    case 'alphanumeric':
      return segment.text.length;
    case 'byte':
      return segment.bytes.length;
    case 'kanji':
      return segment.codes.length;
    case 'eci':
      return 0;
  }
}

/** Bits of a segment's data field alone (no mode indicator or count). */
export function segmentDataBits(segment: Segment): number {
  switch (segment.mode) {
    case 'numeric': {
      const n = segment.text.length;
      return Math.floor(n / 3) * 10 + [0, 4, 7][n % 3];
    }
    case 'alphanumeric': {
      const n = segment.text.length;
      return Math.floor(n / 2) * 11 + (n % 2) * 6;
    }
    case 'byte':
      return segment.bytes.length * 8;
    case 'kanji':
      return segment.codes.length * 13;
    case 'eci':
      return segment.assignment < 1 << 7 ? 8 : segment.assignment < 1 << 14 ? 16 : 24;
  }
}

/**
 * Total bits of the segments in a version group, headers included, or Infinity when a segment has
 * more characters than its count field can state.
 */
export function totalBits(segments: readonly Segment[], group: 0 | 1 | 2): number {
  let bits = 0;
  for (const segment of segments) {
    const cc = countBits(segment.mode, group);
    if (segment.mode !== 'eci' && segmentChars(segment) >= 1 << cc) return Infinity;
    bits += 4 + cc + segmentDataBits(segment);
  }
  return bits;
}

/** Appends one segment: mode indicator, character count, data (clauses 7.4.2-7.4.6). */
export function writeSegment(out: BitWriter, segment: Segment, group: 0 | 1 | 2): void {
  out.write(MODE_INDICATOR[segment.mode], 4);
  if (segment.mode === 'eci') {
    // Clause 7.4.2.2 / Table 4: 1, 2 or 3 bytes with a 0, 10 or 110 prefix.
    const a = segment.assignment;
    if (a < 1 << 7) out.write(a, 8);
    else if (a < 1 << 14) out.write((0b10 << 14) | a, 16);
    else out.write((0b110 << 21) | a, 24);
    return;
  }
  out.write(segmentChars(segment), countBits(segment.mode, group));
  switch (segment.mode) {
    case 'numeric': {
      // Clause 7.4.3: groups of three digits in 10 bits; a final 2 or 1 digit in 7 or 4 bits.
      const t = segment.text;
      let i = 0;
      for (; i + 3 <= t.length; i += 3) {
        out.write(
          (t.charCodeAt(i) - 48) * 100 + (t.charCodeAt(i + 1) - 48) * 10 + t.charCodeAt(i + 2) - 48,
          10,
        );
      }
      if (t.length - i === 2) out.write((t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48, 7);
      else if (t.length - i === 1) out.write(t.charCodeAt(i) - 48, 4);
      return;
    }
    case 'alphanumeric': {
      // Clause 7.4.4: pairs as 45 * first + second in 11 bits; a final single character in 6.
      const t = segment.text;
      let i = 0;
      for (; i + 2 <= t.length; i += 2) {
        out.write(
          ALPHANUMERIC_VALUE[t.charCodeAt(i)] * 45 + ALPHANUMERIC_VALUE[t.charCodeAt(i + 1)],
          11,
        );
      }
      if (i < t.length) out.write(ALPHANUMERIC_VALUE[t.charCodeAt(i)], 6);
      return;
    }
    case 'byte':
      out.writeBytes(segment.bytes);
      return;
    case 'kanji':
      // Clause 7.4.6: subtract 0x8140 or 0xC140, then high byte * 0xC0 + low byte in 13 bits.
      for (const code of segment.codes) {
        const v = code - (code < 0xe040 ? 0x8140 : 0xc140);
        out.write((v >> 8) * 0xc0 + (v & 0xff), 13);
      }
      return;
  }
}
