/**
 * Every generated input, drawn as PNG, decodes with an independent decoder (ZXing-C++ via
 * zxing-wasm) to exactly the input: 2,016 cases over every mode, level and version 1-40,
 * Unicode text (with and without ECI), Kanji mode and raw bytes.
 */
import { describe, expect, it } from 'vitest';
import { encodeBytes, encodeText, type QrCode } from '../src/index.js';
import { renderPng } from '../src/render/png.js';
import { corpus, type CorpusCase } from './helpers/corpus.js';
import { decodeQr } from './helpers/zxing.js';

const CASES = corpus(2016, 42);

function encodeCase(c: CorpusCase): QrCode {
  const options = {
    ecc: c.ecc,
    minVersion: c.version,
    eci: c.kind === 'eci',
    kanji: c.kind === 'kanji',
  };
  return c.bytes ? encodeBytes(c.bytes, options) : encodeText(c.text!, options);
}

describe('ZXing decodes every generated code to its input', () => {
  it('covers every version, level and kind', () => {
    expect(new Set(CASES.map((c) => c.version)).size).toBe(40);
    expect(new Set(CASES.map((c) => c.ecc)).size).toBe(4);
    expect(new Set(CASES.map((c) => c.kind)).size).toBe(9);
  });

  it('uses Kanji mode for Kanji text and several modes for mixed text', () => {
    const kanji = CASES.filter((c) => c.kind === 'kanji').map(encodeCase);
    expect(kanji.every((qr) => qr.segments.some((s) => s.mode === 'kanji'))).toBe(true);
    const mixed = CASES.filter((c) => c.kind === 'mixed').map(encodeCase);
    expect(
      mixed.filter((qr) => new Set(qr.segments.map((s) => s.mode)).size > 1).length,
    ).toBeGreaterThan(mixed.length / 2);
  });

  // Batches of 96 keep the report readable while every case is still asserted.
  const batches: CorpusCase[][] = [];
  for (let i = 0; i < CASES.length; i += 96) batches.push(CASES.slice(i, i + 96));

  it.each(batches.map((batch, i) => ({ batch, from: i * 96, to: i * 96 + batch.length - 1 })))(
    'cases $from-$to',
    async ({ batch }) => {
      const failures: string[] = [];
      for (const c of batch) {
        const qr = encodeCase(c);
        const png = renderPng(qr, { scale: qr.version > 25 ? 2 : 3 });
        const [result] = await decodeQr(png);
        const label = `${c.kind} v${c.version}-${c.ecc}`;
        if (!result) {
          failures.push(`${label}: not decoded`);
          continue;
        }
        if (c.bytes) {
          if (!equalBytes(result.bytes, c.bytes)) failures.push(`${label}: bytes differ`);
        } else if (result.text !== c.text) {
          failures.push(
            `${label}: ${JSON.stringify(result.text.slice(0, 30))} != ${JSON.stringify(c.text!.slice(0, 30))}`,
          );
        }
        if (result.version !== String(qr.version) || result.ecLevel !== qr.ecc) {
          failures.push(`${label}: decoder saw version ${result.version}-${result.ecLevel}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );
});

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
