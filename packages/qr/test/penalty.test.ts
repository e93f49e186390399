/**
 * The encoder's bit-parallel mask penalty equals the plain module-by-module computation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBitMatrix, setModule } from '../src/encode/bit-matrix.js';
import { penaltyScore } from '../src/encode/penalty.js';
import { encodeText } from '../src/index.js';
import { penaltyScore as referencePenalty } from './helpers/reference-penalty.js';

function toBits(modules: Uint8Array, size: number) {
  const m = createBitMatrix(size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (modules[y * size + x]) setModule(m, x, y);
  return m;
}

describe('bit-parallel penalty', () => {
  it('equals the reference on random matrices of every symbol size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((version) => {
          const size = version * 4 + 17;
          // Biased bits make long runs, blocks and finder-like patterns likely.
          return fc.tuple(
            fc.constant(size),
            fc.uint8Array({ minLength: size * size, maxLength: size * size }),
            fc.integer({ min: 1, max: 254 }),
          );
        }),
        ([size, noise, bias]) => {
          const modules = noise.map((v) => (v < bias ? 1 : 0));
          expect(penaltyScore(toBits(modules, size))).toBe(referencePenalty(modules, size));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals the reference on real symbols for all eight masks', () => {
    for (const text of [
      'PAD-V0100-L2025-09-00001',
      'https://example.com/' + 'x'.repeat(300),
      '1'.repeat(3000),
    ]) {
      for (let mask = 0; mask < 8; mask++) {
        const qr = encodeText(text, { mask });
        expect(penaltyScore(toBits(qr.modules, qr.size))).toBe(
          referencePenalty(qr.modules, qr.size),
        );
      }
    }
  });

  it('scores finder-like patterns against the quiet zone at the symbol edge', () => {
    // A row starting with 1011101 then light: pattern counts before (quiet zone) and after.
    const size = 21;
    const modules = new Uint8Array(size * size);
    [1, 0, 1, 1, 1, 0, 1].forEach((v, x) => (modules[x] = v));
    expect(referencePenalty(modules, size)).toBe(penaltyScore(toBits(modules, size)));
    expect(penaltyScore(toBits(modules, size))).toBeGreaterThanOrEqual(80);
  });
});
