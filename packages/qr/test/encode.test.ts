/**
 * Encoder behaviour beyond the standard's tables: version choice, boost, fixed masks, ECI, errors.
 */
import { describe, expect, it } from 'vitest';
import {
  dataCodewords,
  ECI_UTF8,
  encodeBytes,
  encodeText,
  QrArgumentError,
  QrCapacityError,
} from '../src/index.js';
import { decodeQr } from './helpers/zxing.js';
import { renderPng } from '../src/render/png.js';

describe('encodeText', () => {
  it('picks the smallest version that fits, within minVersion/maxVersion', () => {
    // Version 1-M holds 14 bytes in byte mode.
    expect(encodeText('abcdefghijklmn').version).toBe(1);
    expect(encodeText('abcdefghijklmno').version).toBe(2);
    expect(encodeText('a', { minVersion: 7 }).version).toBe(7);
    expect(() => encodeText('abcdefghijklmno', { maxVersion: 1 })).toThrow(QrCapacityError);
  });

  it('boosts the level while the data still fits the same version', () => {
    const plain = encodeText('HELLO', { ecc: 'L' });
    const boosted = encodeText('HELLO', { ecc: 'L', boostEcc: true });
    expect(boosted.version).toBe(plain.version);
    expect(boosted.ecc).toBe('H');
    // 14 bytes fill 1-M exactly: no boost past M.
    expect(encodeText('abcdefghijklmn', { ecc: 'L', boostEcc: true }).ecc).toBe('M');
  });

  it('uses the requested mask, else the lowest-penalty one', () => {
    for (let mask = 0; mask < 8; mask++) expect(encodeText('mask test', { mask }).mask).toBe(mask);
    expect(encodeText('mask test').mask).toBeGreaterThanOrEqual(0);
  });

  it('starts with an ECI 26 designator on request, and ZXing reads the text as UTF-8', async () => {
    const qr = encodeText('Grüße €', { eci: true });
    expect(qr.segments[0]).toEqual({ mode: 'eci', assignment: ECI_UTF8 });
    const [result] = await decodeQr(renderPng(qr));
    expect(result.text).toBe('Grüße €');
  });

  it('fills the largest symbol exactly: 2,331 bytes at 40-M, 7,089 digits at 40-L', () => {
    expect(encodeBytes(new Uint8Array(2331)).version).toBe(40);
    expect(() => encodeBytes(new Uint8Array(2332))).toThrow(QrCapacityError);
    expect(encodeText('1'.repeat(7089), { ecc: 'L' }).version).toBe(40);
    expect(() => encodeText('1'.repeat(7090), { ecc: 'L' })).toThrow(QrCapacityError);
  });

  it('names the capacity and the size asked for when data does not fit', () => {
    try {
      encodeText('x'.repeat(3000), { ecc: 'H' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QrCapacityError);
      const e = error as QrCapacityError;
      expect(e.code).toBe('QR_ERR_CAPACITY');
      expect(e.capacityBits).toBe(dataCodewords(40, 'H') * 8);
      expect(e.requiredBits).toBe(4 + 16 + 3000 * 8);
      expect(e.message).toBe(
        'Data too long: it needs 24020 bits (3003 bytes) but version 40-H holds 10208 bits (1276 bytes)',
      );
    }
  });

  it.each([
    [{ ecc: 'X' as 'L' }, /Invalid ecc="X"/],
    [{ minVersion: 0 }, /Invalid minVersion=0. Expected integer \[1..40\]/],
    [{ maxVersion: 41 }, /Invalid maxVersion=41/],
    [{ minVersion: 5, maxVersion: 4 }, /Invalid maxVersion=4. Expected integer \[5..40\]/],
    [{ mask: 8 }, /Invalid mask=8/],
    [{ mask: 1.5 }, /Invalid mask=1.5/],
  ])('refuses %o before doing any work', (options, message) => {
    expect(() => encodeText('x', options)).toThrow(QrArgumentError);
    expect(() => encodeText('x', options)).toThrow(message);
  });

  it('refuses input of the wrong type', () => {
    expect(() => encodeText(42 as unknown as string)).toThrow(/Invalid text=42. Expected string/);
    expect(() => encodeBytes('abc' as unknown as Uint8Array)).toThrow(/Invalid bytes=/);
  });
});
