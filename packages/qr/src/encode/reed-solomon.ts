/**
 * Reed-Solomon error-correction codewords over GF(2^8) with the QR field polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator roots alpha^0..alpha^(n-1) (clause 7.5.2, Annex A).
 */

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
// Doubled so that EXP[LOG[a] + LOG[b]] needs no modulo.
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];

/** Generator polynomial coefficients as logarithms, highest degree first (the leading 1 dropped). */
const generatorLogs = new Map<number, Uint8Array>();

function generatorLog(degree: number): Uint8Array {
  let cached = generatorLogs.get(degree);
  if (cached) return cached;
  // Multiply (x - alpha^0)(x - alpha^1)...(x - alpha^(degree-1)).
  const coeffs = new Uint8Array(degree);
  coeffs[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      coeffs[j] = multiply(coeffs[j], root) ^ (j + 1 < degree ? coeffs[j + 1] : 0);
    }
    root = multiply(root, 2);
  }
  cached = new Uint8Array(degree);
  for (let i = 0; i < degree; i++) cached[i] = LOG[coeffs[i]];
  generatorLogs.set(degree, cached);
  return cached;
}

function multiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/**
 * Writes the `degree` error-correction codewords of `data[start, end)` into `out` at `outStart`:
 * the remainder of data(x) * x^degree divided by the generator, computed as a shift register.
 */
export function reedSolomonRemainder(
  data: Uint8Array,
  start: number,
  end: number,
  degree: number,
  out: Uint8Array,
  outStart: number,
): void {
  const gen = generatorLog(degree);
  const last = outStart + degree - 1;
  out.fill(0, outStart, last + 1);
  for (let i = start; i < end; i++) {
    const factor = data[i] ^ out[outStart];
    out.copyWithin(outStart, outStart + 1, last + 1);
    out[last] = 0;
    if (factor !== 0) {
      const logFactor = LOG[factor];
      for (let j = 0; j < degree; j++) out[outStart + j] ^= EXP[gen[j] + logFactor];
    }
  }
}
