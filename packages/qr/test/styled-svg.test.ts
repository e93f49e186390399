/**
 * Styled output still decodes: every shape combination and logos up to the largest allowed size,
 * rasterised with resvg and read by ZXing. Logos too large to decode are refused.
 */
import { Resvg } from '@resvg/resvg-js';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodeText, QrArgumentError } from '../src/index.js';
import {
  createStyledSvg,
  largestLogo,
  renderStyledSvg,
  type StyleOptions,
} from '../src/style/styled-svg.js';
import { decodeQr } from './helpers/zxing.js';

function solidPng(width: number, height: number, rgba: [number, number, number, number]): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set(rgba, i * 4);
  return 'data:image/png;base64,' + PNG.sync.write(png).toString('base64');
}
const LOGO = solidPng(8, 8, [200, 30, 30, 255]);

async function decodeSvg(svg: string): Promise<string | undefined> {
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 6 } }).render().asPng();
  const [result] = await decodeQr(png);
  return result?.text;
}

describe('styled SVG', () => {
  it('decodes with every module shape, finder shape and colour combination', async () => {
    const text = 'PAD-V0100-L2025-09-00001';
    for (const moduleShape of ['square', 'dot', 'rounded'] as const) {
      for (const finderShape of ['square', 'rounded', 'dot'] as const) {
        const svg = createStyledSvg(text, {
          moduleShape,
          finderShape,
          dark: '#1b263b',
          finderColor: '#c1121f',
        });
        expect(XMLValidator.validate(svg)).toBe(true);
        expect(await decodeSvg(svg)).toBe(text);
      }
    }
  });

  it('decodes with a logo, any text, shape and logo size up to the largest allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.constantFrom<StyleOptions['moduleShape']>('square', 'dot', 'rounded'),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        async (text, moduleShape, share) => {
          const qr = encodeText(text, { ecc: 'H' });
          const max = largestLogo(qr);
          fc.pre(max > 0);
          const size = Math.max(0.05, Math.round(max * share * 100) / 100);
          const svg = renderStyledSvg(qr, { moduleShape, logo: { href: LOGO, size } });
          expect(await decodeSvg(svg)).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses level H for a logo and refuses one too large to decode', async () => {
    // Version 4-H affords 0.16 of its width: createStyledSvg moves up to a version that fits 0.25.
    const svg = createStyledSvg('https://example.com/product/12345', {
      logo: { href: LOGO, size: 0.25 },
    });
    expect(svg).toContain('<image');
    expect(await decodeSvg(svg)).toBe('https://example.com/product/12345');
    const qr = encodeText('https://example.com/product/12345', { ecc: 'H' });
    const max = largestLogo(qr);
    expect(max).toBeGreaterThan(0.1);
    expect(() =>
      renderStyledSvg(qr, { logo: { href: LOGO, size: Math.min(0.4, max + 0.05) } }),
    ).toThrow(new RegExp(`Invalid logo.size=.*at most ${max.toFixed(2)}`));
  });

  it('refuses a logo on a level below H, and images that are not data: URIs', () => {
    const qr = encodeText('hello', { ecc: 'M' });
    expect(() => renderStyledSvg(qr, { logo: { href: LOGO } })).toThrow(/Invalid ecc="M"/);
    const h = encodeText('hello', { ecc: 'H', minVersion: 5 });
    expect(() => renderStyledSvg(h, { logo: { href: 'https://evil.example/logo.png' } })).toThrow(
      QrArgumentError,
    );
    expect(() =>
      renderStyledSvg(h, { logo: { href: 'data:text/html;base64,PHNjcmlwdD4=' } }),
    ).toThrow(/Invalid logo.href/);
    expect(() => renderStyledSvg(h, { moduleShape: 'star' as 'dot' })).toThrow(
      /Invalid moduleShape="star"/,
    );
  });
});
