/**
 * Module matrices equal those of an independent implementation (node-qrcode) for the same data,
 * version, level and mask: 560 cases over every version, level, mask and single-segment mode.
 */
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import {
  alphanumericSegment,
  byteSegment,
  ECC_LEVELS,
  encodeSegments,
  numericSegment,
  type Segment,
} from '../src/index.js';
import { capacityChars, prng, randomString, type SingleMode } from './helpers/corpus.js';

const MODES: readonly SingleMode[] = ['numeric', 'alphanumeric', 'byte'];
const ALPHABETS: Record<SingleMode, string> = {
  numeric: '0123456789',
  alphanumeric: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:',
  byte: 'abcdefghijklmnopqrstuvwxyz0123456789-/:?=&',
};

function segmentFor(mode: SingleMode, text: string): Segment {
  if (mode === 'numeric') return numericSegment(text);
  if (mode === 'alphanumeric') return alphanumericSegment(text);
  return byteSegment(new TextEncoder().encode(text));
}

describe('matrices equal node-qrcode for the same version, level and mask', () => {
  const rand = prng(18004);
  const cases = [];
  for (let version = 1; version <= 40; version++) {
    for (const ecc of ECC_LEVELS) {
      for (let k = 0; k < 3 + (version % 2) * 2 - (version > 20 ? 1 : 0); k++) {
        const mode = MODES[(version + k) % 3];
        const cap = capacityChars(mode, version, ecc);
        // Fill between 70 % and 100 % so this very version is the one that fits.
        const length = Math.max(1, Math.floor(cap * (0.7 + rand() * 0.3)));
        cases.push({
          version,
          ecc,
          mode,
          mask: Math.floor(rand() * 8),
          text: randomString(rand, ALPHABETS[mode], length),
        });
      }
    }
  }

  it(`has at least 500 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
  });

  it.each(cases)(
    'v$version-$ecc mask $mask $mode ($text.length chars)',
    ({ version, ecc, mode, mask, text }) => {
      const ours = encodeSegments([segmentFor(mode, text)], {
        ecc,
        minVersion: version,
        maxVersion: version,
        mask,
      });
      const data = mode === 'byte' ? new TextEncoder().encode(text) : text;
      const ref = QRCode.create([{ data, mode }] as unknown as string, {
        version,
        errorCorrectionLevel: ecc,
        maskPattern: mask as QRCode.QRCodeMaskPattern,
      });
      expect(ref.version).toBe(version);
      expect(ours.size).toBe(ref.modules.size);
      let differences = 0;
      for (let i = 0; i < ours.modules.length; i++)
        if (ours.modules[i] !== (ref.modules.data[i] ? 1 : 0)) differences++;
      expect(differences).toBe(0);
    },
  );
});
