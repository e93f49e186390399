/**
 * Renderers: PNG parsed by an independent decoder (pngjs) pixel for pixel, SVG parsed as XML and
 * decoded after rasterising its path, terminal text read back module by module.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodeText, QrArgumentError, type QrCode } from '../src/index.js';
import { renderPng } from '../src/render/png.js';
import { renderSvg } from '../src/render/svg.js';
import { renderText } from '../src/render/text.js';
import { decodeQr, rgbaImage } from './helpers/zxing.js';

const SAMPLES: QrCode[] = [
  encodeText('PAD-V0100-L2025-09-00001'),
  encodeText('https://example.com/some/path?x=1', { ecc: 'H' }),
  encodeText('x'.repeat(1200), { ecc: 'L' }),
];

function isDarkModule(qr: QrCode, margin: number, mx: number, my: number): boolean {
  const x = mx - margin;
  const y = my - margin;
  return x >= 0 && y >= 0 && x < qr.size && y < qr.size && qr.modules[y * qr.size + x] === 1;
}

describe('renderPng', () => {
  it.each([
    { scale: 1, margin: 4 },
    { scale: 3, margin: 0 },
    { scale: 7, margin: 2 },
    { scale: 8, margin: 4 },
  ])(
    'draws every module at scale $scale, margin $margin (checked with pngjs)',
    ({ scale, margin }) => {
      for (const qr of SAMPLES) {
        const png = PNG.sync.read(Buffer.from(renderPng(qr, { scale, margin })));
        const side = (qr.size + 2 * margin) * scale;
        expect([png.width, png.height]).toEqual([side, side]);
        let wrong = 0;
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            const dark = isDarkModule(qr, margin, Math.floor(x / scale), Math.floor(y / scale));
            if (png.data[(y * side + x) * 4] !== (dark ? 0 : 255)) wrong++;
          }
        }
        expect(wrong).toBe(0);
      }
    },
  );

  it('writes 1-bit greyscale for black on white and a palette with alpha otherwise', () => {
    const qr = SAMPLES[0];
    const grey = renderPng(qr);
    expect(grey[24]).toBe(1); // bit depth
    expect(grey[25]).toBe(0); // colour type greyscale
    const coloured = renderPng(qr, { dark: '#12345680', light: 'transparent', scale: 2 });
    expect(coloured[25]).toBe(3); // indexed colour
    const png = PNG.sync.read(Buffer.from(coloured));
    const at = (x: number, y: number) => [
      ...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4),
    ];
    expect(at(0, 0)).toEqual([255, 255, 255, 0]); // quiet zone: transparent
    expect(at(4 * 2, 4 * 2)).toEqual([0x12, 0x34, 0x56, 0x80]); // finder corner: dark
  });

  it('fits the largest integer scale into a requested size', () => {
    const qr = SAMPLES[0]; // 25 modules + 8 margin = 33
    const png = PNG.sync.read(Buffer.from(renderPng(qr, { size: 300 })));
    expect(png.width).toBe(33 * 9);
  });

  it('decodes with ZXing, in colour too', async () => {
    for (const qr of SAMPLES) {
      const [result] = await decodeQr(
        renderPng(qr, { scale: 3, dark: '#1a237e', light: '#fffde7' }),
      );
      expect(result?.text.length).toBeGreaterThan(0);
    }
  });

  it('refuses bad options with errors that name them', () => {
    const qr = SAMPLES[0];
    expect(() => renderPng(qr, { scale: 0 })).toThrow(/Invalid scale=0/);
    expect(() => renderPng(qr, { scale: 1.5 })).toThrow(QrArgumentError);
    expect(() => renderPng(qr, { margin: -1 })).toThrow(/Invalid margin=-1/);
    expect(() => renderPng(qr, { dark: 'red"/><script>' })).toThrow(/Invalid dark=/);
    expect(() => renderPng(qr, { scale: 1000 })).toThrow(/at most 16384 pixels/);
  });
});

describe('renderSvg', () => {
  it('is well-formed XML with a viewBox, crisp edges and a single path', () => {
    for (const qr of SAMPLES) {
      const svg = renderSvg(qr, { title: 'Code <for> "you" & me' });
      expect(XMLValidator.validate(svg)).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false }).parse(svg) as {
        svg: {
          '@_viewBox': string;
          '@_shape-rendering': string;
          path: { '@_d': string } | unknown[];
          title: string;
        };
      };
      expect(doc.svg['@_viewBox']).toBe(`0 0 ${qr.size + 8} ${qr.size + 8}`);
      expect(doc.svg['@_shape-rendering']).toBe('crispEdges');
      expect(Array.isArray(doc.svg.path)).toBe(false);
      expect(doc.svg.title).toBe('Code <for> "you" & me');
    }
  });

  it('covers exactly the dark modules (path rasterised and compared)', async () => {
    for (const qr of SAMPLES) {
      const margin = 2;
      const svg = renderSvg(qr, { margin });
      const d = /<path[^>]* d="([^"]+)"/.exec(svg)![1];
      const side = qr.size + 2 * margin;
      const dark = new Uint8Array(side * side);
      for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
        for (let i = 0; i < Number(w); i++) dark[Number(y) * side + Number(x) + i] ^= 1;
      }
      for (let my = 0; my < side; my++) {
        for (let mx = 0; mx < side; mx++)
          expect(dark[my * side + mx]).toBe(isDarkModule(qr, margin, mx, my) ? 1 : 0);
      }
      const scale = 4;
      const image = rgbaImage(
        side * scale,
        side * scale,
        (x, y) => dark[Math.floor(y / scale) * side + Math.floor(x / scale)] === 1,
      );
      expect((await decodeQr(image)).length).toBe(1);
    }
  });

  it('omits the background when it is transparent and writes colour with opacity', () => {
    const svg = renderSvg(SAMPLES[0], {
      dark: 'rgba(10, 20, 30, 0.5)',
      light: 'transparent',
      size: 256,
    });
    expect(svg).not.toContain('<rect');
    expect(svg).toContain('fill="#0a141e" fill-opacity="0.502"');
    expect(svg).toContain('width="256" height="256"');
  });
});

describe('renderText', () => {
  it('draws two module rows per line with half blocks', () => {
    const qr = SAMPLES[0];
    const margin = 1;
    const lines = renderText(qr, { margin, ink: 'dark' }).slice(0, -1).split('\n');
    const side = qr.size + 2 * margin;
    expect(lines.length).toBe(Math.ceil(side / 2));
    for (let my = 0; my < side; my++) {
      for (let mx = 0; mx < side; mx++) {
        const glyph = [...lines[my >> 1]][mx];
        const upper = glyph === '█' || glyph === '▀';
        const lower = glyph === '█' || glyph === '▄';
        expect(my % 2 === 0 ? upper : lower).toBe(isDarkModule(qr, margin, mx, my));
      }
    }
  });
});
