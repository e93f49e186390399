/**
 * Optimal segmentation: never longer than any single-mode encoding, and always a lossless split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphanumericSegment,
  analyzeText,
  byteSegment,
  numericSegment,
  optimalSegments,
  totalBits,
  type Segment,
} from '../src/index.js';

const GROUPS = [0, 1, 2] as const;
const utf8 = new TextEncoder();

/** Characters chosen to make mode switches worth considering. */
const mixedChar = fc.constantFrom(
  ...'0123456789ABCDEFXYZ $%*+-./:abcxyz?!é中日本😀'.split(/(?:)/u),
);
const mixedText = fc.array(mixedChar, { maxLength: 300 }).map((a) => a.join(''));
const anyText = fc.string({ unit: 'grapheme', maxLength: 200 });

function singleModeBits(text: string, group: 0 | 1 | 2): number[] {
  const options = [totalBits([byteSegment(utf8.encode(text))], group)];
  if (/^[0-9]+$/.test(text)) options.push(totalBits([numericSegment(text)], group));
  if (/^[0-9A-Z $%*+\-./:]+$/.test(text))
    options.push(totalBits([alphanumericSegment(text)], group));
  return options;
}

function joinSegments(segments: readonly Segment[]): string {
  const sjis = new TextDecoder('shift_jis');
  return segments
    .map((s) => {
      if (s.mode === 'numeric' || s.mode === 'alphanumeric') return s.text;
      if (s.mode === 'byte') return new TextDecoder().decode(s.bytes);
      if (s.mode === 'kanji')
        return sjis.decode(new Uint8Array([...s.codes].flatMap((c) => [c >> 8, c & 0xff])));
      return '';
    })
    .join('');
}

describe('optimal segmentation', () => {
  for (const [name, arbitrary] of [
    ['mixed alphabets', mixedText],
    ['any Unicode', anyText],
  ] as const) {
    it(`is never longer than a single-mode encoding (${name})`, () => {
      fc.assert(
        fc.property(arbitrary, fc.boolean(), (text, kanji) => {
          const info = analyzeText(text, kanji);
          for (const group of GROUPS) {
            const bits = totalBits(optimalSegments(info, group), group);
            for (const single of singleModeBits(text, group))
              expect(bits).toBeLessThanOrEqual(single);
          }
        }),
        { numRuns: 400 },
      );
    });

    it(`splits the text without losing or changing a character (${name})`, () => {
      fc.assert(
        fc.property(arbitrary, fc.boolean(), (text, kanji) => {
          const info = analyzeText(text, kanji);
          // In /u mode only lone surrogates match (pairs are one astral code point).
          const wellFormed = !/[\uD800-\uDFFF]/u.test(text);
          for (const group of GROUPS) {
            const joined = joinSegments(optimalSegments(info, group));
            if (wellFormed) expect(joined).toBe(text);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('picks numeric, alphanumeric and byte runs where they pay off', () => {
    const info = analyzeText(
      'https://example.com/ABCDEFGHIJKLMNOPQRSTUVWXYZ/0123456789012345678901',
      false,
    );
    expect(optimalSegments(info, 0).map((s) => s.mode)).toEqual([
      'byte',
      'alphanumeric',
      'numeric',
    ]);
  });

  it('uses one numeric segment for digits only', () => {
    expect(optimalSegments(analyzeText('0123456789', false), 0)).toEqual([
      numericSegment('0123456789'),
    ]);
  });

  it('uses Kanji mode when allowed and every non-ASCII character can take it', () => {
    expect(optimalSegments(analyzeText('漢字テスト', true), 0).map((s) => s.mode)).toEqual([
      'kanji',
    ]);
    // é has no Shift JIS code: the whole text stays UTF-8.
    expect(optimalSegments(analyzeText('漢字é', true), 0).map((s) => s.mode)).toEqual(['byte']);
    expect(optimalSegments(analyzeText('漢字テスト', false), 0).map((s) => s.mode)).toEqual([
      'byte',
    ]);
  });
});
