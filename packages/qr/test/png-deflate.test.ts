/**
 * The hand-written zlib stream inflates (with node:zlib, which checks the Adler-32) to exactly the
 * scanlines a PNG decoder expects: each row, then its repeats as filter Up with zero bytes.
 */
import fc from 'fast-check';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zlibScanlines } from '../src/render/png-deflate.js';

function expected(rows: Uint8Array, stride: number, scale: number): Uint8Array {
  const count = rows.length / stride;
  const out = new Uint8Array(count * scale * stride);
  for (let r = 0; r < count; r++) {
    out.set(rows.subarray(r * stride, (r + 1) * stride), r * scale * stride);
    for (let k = 1; k < scale; k++) out[(r * scale + k) * stride] = 2;
  }
  return out;
}

const scanlines = fc
  .record({
    rowBytes: fc.integer({ min: 3, max: 300 }),
    count: fc.integer({ min: 1, max: 60 }),
    scale: fc.integer({ min: 1, max: 12 }),
    palette: fc.constantFrom([0, 255], [0, 15, 240, 255], [...Array(256).keys()]),
  })
  .chain(({ rowBytes, count, scale, palette }) =>
    fc.tuple(
      fc.constant(rowBytes + 1),
      fc.constant(scale),
      // Rows drawn from a few templates so that equal neighbouring rows and long runs occur.
      fc.array(
        fc.array(fc.constantFrom(...palette), { minLength: rowBytes, maxLength: rowBytes }),
        { minLength: 1, maxLength: 4 },
      ),
      fc.array(fc.nat(3), { minLength: count, maxLength: count }),
    ),
  )
  .map(([stride, scale, templates, picks]) => {
    const rows = new Uint8Array(picks.length * stride);
    picks.forEach((p, r) => rows.set([0, ...templates[p % templates.length]], r * stride));
    return { rows, stride, scale };
  });

describe('zlibScanlines', () => {
  it('inflates to the repeated scanlines (dynamic Huffman codes)', () => {
    fc.assert(
      fc.property(scanlines, ({ rows, stride, scale }) => {
        expect(inflateSync(zlibScanlines(rows, stride, scale))).toEqual(
          Buffer.from(expected(rows, stride, scale)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('inflates to the repeated scanlines (fixed Huffman codes)', () => {
    fc.assert(
      fc.property(scanlines, ({ rows, stride, scale }) => {
        expect(inflateSync(zlibScanlines(rows, stride, scale, true))).toEqual(
          Buffer.from(expected(rows, stride, scale)),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('keeps a distance within 32 KiB for very wide images (no row copy past the window)', () => {
    const stride = 2049;
    const rows = new Uint8Array(stride * 3).fill(0);
    const out = zlibScanlines(rows, stride, 20); // 20 * 2049 > 32768
    expect(inflateSync(out)).toEqual(Buffer.from(expected(rows, stride, 20)));
  });
});
