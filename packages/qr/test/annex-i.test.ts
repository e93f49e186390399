/**
 * ISO/IEC 18004:2015 Annex I: the worked example "01234567" as a version 1-M symbol.
 */
import { describe, expect, it } from 'vitest';
import { encodeText, numericSegment, totalBits } from '../src/index.js';

// Annex I.2/I.3: the 16 data codewords and 10 error-correction codewords of the example.
const DATA = [
  0b00010000, 0b00100000, 0b00001100, 0b01010110, 0b01100001, 0b10000000, 0b11101100, 0b00010001,
  0b11101100, 0b00010001, 0b11101100, 0b00010001, 0b11101100, 0b00010001, 0b11101100, 0b00010001,
];
const ECC = [
  0b10100101, 0b00100100, 0b11010100, 0b11000001, 0b11101101, 0b00110110, 0b11000111, 0b10000111,
  0b00101100, 0b01010101,
];

// The final symbol of Annex I (data mask pattern 010, format information 101111001111100), module
// for module; '#' = dark. Cross-checked against node-qrcode with the same mask.
const SYMBOL = `
#######..#.##.#######
#.....#..####.#.....#
#.###.#.#.....#.###.#
#.###.#.##....#.###.#
#.###.#.#.###.#.###.#
#.....#.#...#.#.....#
#######.#.#.#.#######
........#..##........
#.#####..#..#.#####..
...#.#.##.#.#..#.##..
..#...##.#.#.#..#####
....#....#.....####..
...######..#.#..#....
........#.#####..##..
#######..##.#.##.....
#.....#.#.#####...#.#
#.###.#.#...#..#.##..
#.###.#.##..#..#.....
#.###.#.#.##.#..#.#..
#.....#........##.##.
#######.####.#..#.#..`
  .trim()
  .split('\n');

/** Reads the 26 codewords back out of the unmasked symbol along the placement path. */
function readCodewords(
  modules: Uint8Array,
  size: number,
  mask: (i: number, j: number) => boolean,
): number[] {
  const reserved = (x: number, y: number) =>
    (x < 9 && y < 9) || (x < 9 && y >= size - 8) || (x >= size - 8 && y < 9) || x === 6 || y === 6;
  const bits: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (!reserved(x, y)) bits.push(modules[y * size + x] ^ (mask(y, x) ? 1 : 0));
      }
    }
  }
  const words: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8)
    words.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  return words;
}

describe('ISO/IEC 18004 Annex I worked example', () => {
  const qr = encodeText('01234567', { ecc: 'M', mask: 2 });

  it('encodes the numeric segment in 41 bits (4 + 10 + 10 + 10 + 7)', () => {
    expect(qr.segments).toEqual([numericSegment('01234567')]);
    expect(totalBits(qr.segments, 0)).toBe(41);
    expect(qr.version).toBe(1);
  });

  it('places the data and error-correction codewords of the standard', () => {
    const words = readCodewords(qr.modules, qr.size, (i, j) => j % 3 === 0);
    expect(words).toEqual([...DATA, ...ECC]);
  });

  it('reproduces the symbol module for module', () => {
    const drawn = Array.from({ length: qr.size }, (_, y) =>
      Array.from({ length: qr.size }, (_, x) => (qr.modules[y * qr.size + x] ? '#' : '.')).join(''),
    );
    expect(drawn).toEqual(SYMBOL);
  });

  it('writes format information 101111001111100 (level M, mask 010)', () => {
    const bits = [0, 1, 2, 3, 4, 5, 7, 8].map((y) => qr.modules[y * qr.size + 8]);
    bits.push(...[7, 5, 4, 3, 2, 1, 0].map((x) => qr.modules[8 * qr.size + x]));
    // Bits 14..0 read along the first copy: rows 0-5, 7, 8 of column 8 hold bits 0-7.
    const value = bits.reduce((acc, bit, i) => acc | (bit << i), 0);
    expect(value.toString(2).padStart(15, '0')).toBe('101111001111100');
  });
});
