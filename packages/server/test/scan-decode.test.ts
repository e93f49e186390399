/**
 * POST /api/v1/scans/decode with images made from our own codes: a PNG from the API (plain,
 * styled, blurred JPEG), WebP, several codes in one image, a dark background, a rotated code, a
 * faint mark found by the contrast pass, DataMatrix, Micro QR and Code 128 (drawn by ZXing's
 * writer); the quality report on clean, scratched, faint and cropped labels; and the limits —
 * forged 20000 x 20000 headers refused from the header alone, truncated and non-image files, too
 * many images, too many bytes — each a problem+json naming the file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { codeAt, forgedGif, forgedJpeg, forgedPng, greyPng } from './helpers/images.js';
import { multipart } from './helpers/multipart.js';

interface Decoded {
  images: {
    name: string;
    width: number;
    height: number;
    codes: {
      text: string;
      format: string;
      errorCorrection: string;
      corners: unknown[];
      quality: Quality | null;
    }[];
    attempt: string;
  }[];
}

interface Quality {
  moduleSize: number;
  contrast: number;
  contrastGrade: string;
  quietZone: { modules: number; clear: number; ok: boolean };
  errorCorrectionUsed: number | null;
  grade: string;
  warnings: string[];
}

describe('decoding images', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let auth: Record<string, string>;
  const decode = (files: Parameters<typeof multipart>[0]) => {
    const body = multipart(files);
    return app.server.inject({
      method: 'POST',
      url: '/api/v1/scans/decode',
      payload: body.payload,
      headers: { ...auth, ...body.headers },
    });
  };

  beforeAll(async () => {
    // ZXing's writer draws the DataMatrix, Micro QR and Code 128 test images.
    const wasm = readFileSync(
      createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm'),
    );
    await prepareZXingModule({
      overrides: {
        wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength),
      },
      fireImmediately: true,
    });
    const opened = await ENGINES[0].open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        jwtSecret: 'scan-secret-scan-secret-scan-secret-0123',
        scanMaxImages: 4,
        scanMaxBytes: 2 * 1024 * 1024,
      }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  });
  afterAll(async () => {
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it('reads a code the API drew, with its error correction and corners', async () => {
    const png = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers: auth,
      payload: { data: 'PAD-V0100-L2025-09-00042', format: 'png', ecc: 'Q' },
    });
    expect(png.statusCode).toBe(200);
    const res = await decode([{ name: 'label.png', bytes: png.rawPayload }]);
    expect(res.statusCode).toBe(200);
    const [image] = res.json<Decoded>().images;
    expect(image.name).toBe('label.png');
    expect(image.codes).toHaveLength(1);
    expect(image.codes[0]).toMatchObject({
      text: 'PAD-V0100-L2025-09-00042',
      format: 'QRCode',
      errorCorrection: 'Q',
    });
    expect(image.codes[0].corners).toHaveLength(4);
    expect(image.attempt).toBe('quick');
    expect(image.codes[0].quality).toMatchObject({ grade: 'A' });

    // Without the quality report (faster): the same code, no report; a bad value is named.
    const body = multipart([{ name: 'label.png', bytes: png.rawPayload }]);
    const fast = await app.server.inject({
      method: 'POST',
      url: '/api/v1/scans/decode?quality=false',
      payload: body.payload,
      headers: { ...auth, ...body.headers },
    });
    expect(fast.json<Decoded>().images[0].codes[0]).toMatchObject({
      text: 'PAD-V0100-L2025-09-00042',
      quality: null,
    });
    const bad = await app.server.inject({
      method: 'POST',
      url: '/api/v1/scans/decode?quality=maybe',
      payload: body.payload,
      headers: { ...auth, ...body.headers },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ detail: string }>().detail).toBe('querystring.quality must be boolean');
  });

  it('reads WebP (through sharp) and a faint mark that only the contrast pass finds', async () => {
    const code = codeAt('WEBP-LABEL', 6);
    const png = greyPng(code.side, code.side, (x, y) => (code.dark(x, y) ? 0 : 255));
    const webp = await sharp(png).webp({ lossless: true }).toBuffer();
    // A faint mark: dark modules 120, light 136 (a light laser pass on grey metal).
    const faint = codeAt('FAINT-MARK', 5);
    const faintPng = greyPng(faint.side, faint.side, (x, y) => (faint.dark(x, y) ? 120 : 136));
    const res = await decode([
      { name: 'label.webp', bytes: webp },
      { name: 'faint.png', bytes: faintPng },
    ]);
    expect(res.statusCode).toBe(200);
    const [first, second] = res.json<Decoded>().images;
    expect(first).toMatchObject({ attempt: 'quick', codes: [{ text: 'WEBP-LABEL' }] });
    expect(second.attempt).toBe('contrast');
    expect(second.codes.map((c) => c.text)).toEqual(['FAINT-MARK']);
  });

  it('reads several codes in one image, a dark background, a rotated code, and several images', async () => {
    const a = codeAt('PART-A', 6);
    const b = codeAt('PART-B', 6, a.side + 20, 10);
    const pair = greyPng(2 * a.side + 40, a.side + 20, (x, y) =>
      a.dark(x, y) || b.dark(x, y) ? 0 : 255,
    );
    const c = codeAt('INVERTED', 6);
    const inverted = greyPng(c.side, c.side, (x, y) => (c.dark(x, y) ? 255 : 20));
    const d = codeAt('ROTATED-30', 6);
    const size = Math.ceil(d.side * 1.5);
    const [cos, sin] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const rotated = greyPng(size, size, (x, y) => {
      // Sample the code rotated by 30 degrees about the image centre.
      const dx = x - size / 2;
      const dy = y - size / 2;
      const sx = cos * dx + sin * dy + d.side / 2;
      const sy = -sin * dx + cos * dy + d.side / 2;
      return d.dark(Math.floor(sx), Math.floor(sy)) ? 0 : 255;
    });
    const res = await decode([
      { name: 'pair.png', bytes: pair },
      { name: 'inverted.png', bytes: inverted },
      { name: 'rotated.png', bytes: rotated },
    ]);
    expect(res.statusCode).toBe(200);
    const texts = res.json<Decoded>().images.map((i) => i.codes.map((c) => c.text).sort());
    expect(texts).toEqual([['PART-A', 'PART-B'], ['INVERTED'], ['ROTATED-30']]);
  });

  it('reads styled, blurred and JPEG codes the API drew', async () => {
    const draw = async (payload: object) => {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/codes',
        headers: auth,
        payload: { format: 'png', ...payload },
      });
      expect(res.statusCode).toBe(200);
      return res.rawPayload;
    };
    const styled = await draw({
      data: 'STYLED-DOTS',
      moduleShape: 'dot',
      finderShape: 'rounded',
      dark: '#1d3557',
      light: '#f1faee',
    });
    const blurred = await sharp(await draw({ data: 'BLURRED', size: 400 }))
      .blur(2.5)
      .jpeg({ quality: 60 })
      .toBuffer();
    const res = await decode([
      { name: 'styled.png', bytes: styled },
      { name: 'blurred.jpg', bytes: blurred },
    ]);
    expect(res.statusCode).toBe(200);
    const texts = res.json<Decoded>().images.map((i) => i.codes.map((c) => c.text));
    expect(texts).toEqual([['STYLED-DOTS'], ['BLURRED']]);
  });

  it('reports print quality: a clean label grades A, a damaged one says how close it is to failing', async () => {
    const text = 'PAD-V0100-L2025-09-00007';
    const code = codeAt(text, 6, 20, 20);
    const side = code.side + 40;
    const centre = 20 + code.side / 2;
    // Dark 30 / light 220: a good print.
    const clean = greyPng(side, side, (x, y) => (code.dark(x, y) ? 30 : 220));
    // A scratch across the middle: 6 x 6 modules burnt dark.
    const blot = greyPng(side, side, (x, y) =>
      Math.abs(x - centre) < 18 && Math.abs(y - centre) < 18 ? 30 : code.dark(x, y) ? 30 : 220,
    );
    // A faint mark: dark 100 / light 150.
    const faint = greyPng(side, side, (x, y) => (code.dark(x, y) ? 100 : 150));
    // A label cut one module from the code: the quiet zone is off the photo.
    const cut = greyPng(code.side - 36, code.side - 36, (x, y) =>
      code.dark(x + 38, y + 38) ? 30 : 220,
    );
    const res = await decode([
      { name: 'clean.png', bytes: clean },
      { name: 'blot.png', bytes: blot },
      { name: 'faint.png', bytes: faint },
      { name: 'cut.png', bytes: cut },
    ]);
    expect(res.statusCode).toBe(200);
    const images = res.json<Decoded>().images;
    expect(images.map((i) => i.codes.map((c) => c.text))).toEqual([[text], [text], [text], [text]]);
    const [good, damaged, low, cropped] = images.map((i) => i.codes[0].quality!);
    expect(good).toMatchObject({
      moduleSize: 6,
      contrastGrade: 'A',
      quietZone: { modules: 4, ok: true },
      errorCorrectionUsed: 0,
      grade: 'A',
      warnings: [],
    });
    expect(good.contrast).toBeCloseTo(190 / 255, 1);
    expect(damaged.errorCorrectionUsed).toBeGreaterThan(0.5);
    expect(damaged.grade).toMatch(/[CDF]/);
    expect(damaged.warnings.join()).toMatch(/of the error correction/);
    expect(low.contrast).toBeCloseTo(50 / 255, 1);
    expect(low.contrastGrade).toBe('D');
    expect(low.warnings.join()).toMatch(/contrast 20 %/);
    expect(cropped.quietZone.ok).toBe(false);
    expect(cropped.grade).toBe('F');
    expect(cropped.warnings.join()).toMatch(/quiet zone of 4 modules/);
    console.info(
      `quality: clean ${good.grade}, scratched ${damaged.grade} (${damaged.errorCorrectionUsed} of EC used), faint ${low.grade} (contrast ${low.contrast}), cut ${cropped.grade} (quiet zone ${cropped.quietZone.clear} clear)`,
    );
  });

  it('reports Micro QR, DataMatrix and Code 128 too, QR codes first', async () => {
    const written = async (text: string, format: 'DataMatrix' | 'MicroQRCode' | 'Code128') => {
      const result = await writeBarcode(text, { format, scale: 6 });
      return Buffer.from(await result.image!.arrayBuffer());
    };
    const matrix = await written('DM-PART-0001', 'DataMatrix');
    const micro = await written('M0042', 'MicroQRCode');
    const linear = await written('C128-0001', 'Code128');
    // A DataMatrix left of a QR code on one label.
    const qr = codeAt('QR-BESIDE-DM', 6);
    const qrPng = greyPng(qr.side, qr.side, (x, y) => (qr.dark(x, y) ? 0 : 255));
    const label = await sharp({
      create: { width: qr.side + 260, height: qr.side, channels: 3, background: '#ffffff' },
    })
      .composite([
        { input: matrix, left: 30, top: 40 },
        { input: qrPng, left: 260, top: 0 },
      ])
      .png()
      .toBuffer();
    const res = await decode([
      { name: 'dm.png', bytes: matrix },
      { name: 'micro.png', bytes: micro },
      { name: 'code128.png', bytes: linear },
      { name: 'label.png', bytes: label },
    ]);
    expect(res.statusCode).toBe(200);
    const images = res.json<Decoded>().images;
    expect(images.map((i) => i.codes.map((c) => [c.format, c.text]))).toEqual([
      [['DataMatrix', 'DM-PART-0001']],
      [['MicroQRCode', 'M0042']],
      [['Code128', 'C128-0001']],
      [
        ['QRCode', 'QR-BESIDE-DM'],
        ['DataMatrix', 'DM-PART-0001'],
      ],
    ]);
    expect(images[0].codes[0].quality).toMatchObject({ quietZone: { modules: 1 } });
    expect(images[1].codes[0].quality).toMatchObject({ quietZone: { modules: 2 } });
    expect(images[2].codes[0].quality).toBeNull();
  });

  it('an image with no code answers with no codes', async () => {
    const blank = greyPng(200, 200, () => 255);
    const res = await decode([{ name: 'blank.png', bytes: blank }]);
    expect(res.json<Decoded>().images[0]).toMatchObject({ codes: [], attempt: 'none' });
  });

  it('refuses decompression bombs from their headers, at once and without memory growth', async () => {
    const bombs = [
      { name: 'bomb.png', bytes: forgedPng(20_000, 20_000) },
      { name: 'bomb.jpg', bytes: forgedJpeg(20_000, 20_000) },
      { name: 'bomb.gif', bytes: forgedGif(20_000, 20_000) },
      { name: 'huge.png', bytes: forgedPng(60_000, 60_000) },
    ];
    for (const bomb of bombs) expect(bomb.bytes.length).toBeLessThan(200);
    // Decoded, a 20000 x 20000 image is 400 MB of grey (1.6 GB as RGBA); 40 refusals must not
    // grow RSS (RELIABILITY.md: under 64 MB).
    global.gc?.();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    for (let round = 0; round < 10; round++)
      for (const bomb of bombs) {
        const res = await decode([bomb]);
        expect(res.statusCode).toBe(413);
        expect(res.json()).toMatchObject({ code: 'SCAN_ERR_TOO_LARGE' });
        expect(res.json<{ detail: string }>().detail).toBe(
          bomb.name === 'huge.png'
            ? 'huge.png is 60000 x 60000 pixels (3,600,000,000); the limit is 16,777,216 (QRFORGE_SCAN_MAX_PIXELS)'
            : `${bomb.name} is 20000 x 20000 pixels (400,000,000); the limit is 16,777,216 (QRFORGE_SCAN_MAX_PIXELS)`,
        );
      }
    const ms = (performance.now() - started) / (10 * bombs.length);
    const grewMb = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grewMb).toBeLessThan(64);
    console.info(
      `decompression bombs (PNG, JPEG, GIF headers of 20000 x 20000 and a PNG of 60000 x 60000, under 200 bytes): 40 refused, ${ms.toFixed(1)} ms each on average, RSS grew ${grewMb.toFixed(1)} MB`,
    );
  });

  it('names truncated files, non-images, and parts not named file', async () => {
    const whole = greyPng(120, 120, (x, y) => (codeAt('CUT', 4).dark(x, y) ? 0 : 255));
    const cut = await decode([{ name: 'cut.png', bytes: whole.subarray(0, whole.length / 2) }]);
    expect(cut.statusCode).toBe(422);
    expect(cut.json<{ detail: string }>().detail).toMatch(/^cut\.png cannot be read/);
    const text = await decode([{ name: 'notes.png', bytes: Buffer.from('just some text here') }]);
    expect(text.statusCode).toBe(422);
    expect(text.json<{ detail: string }>().detail).toBe(
      'notes.png is not an image we can read (PNG, JPEG, GIF or WebP)',
    );
    const field = await decode([{ name: 'x.png', bytes: whole, field: 'image' }]);
    expect(field.statusCode).toBe(422);
    expect(field.json<{ detail: string }>().detail).toContain('"file"');
    const none = await app.server.inject({
      method: 'POST',
      url: '/api/v1/scans/decode',
      headers: auth,
      payload: { file: 'x' },
    });
    expect(none.statusCode).toBe(415);
  });

  it('bounds the images per request and the bytes per image', async () => {
    const small = greyPng(50, 50, () => 255);
    const many = await decode(
      Array.from({ length: 5 }, (_, i) => ({ name: `${i}.png`, bytes: small })),
    );
    expect(many.statusCode).toBe(413);
    const big = Buffer.concat([small, Buffer.alloc(3 * 1024 * 1024)]);
    const large = await decode([{ name: 'big.png', bytes: big }]);
    expect(large.statusCode).toBe(413);
    expect(
      (await app.server.inject({ method: 'POST', url: '/api/v1/scans/decode' })).statusCode,
    ).toBe(401);
  });
});
