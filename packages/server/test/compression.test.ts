/**
 * Compression (regression: nothing was compressed; Lighthouse counted 935 KiB on the generator):
 * the web page's assets are sent precompressed (brotli, else gzip) with Vary: Accept-Encoding,
 * JSON answers over 1 KiB are compressed per request, small ones and images are not.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

let app: App;
let cleanup: () => Promise<void>;
const script = `console.log(${JSON.stringify('QR Forge '.repeat(500))});`;

beforeAll(async () => {
  const webRoot = mkdtempSync(join(tmpdir(), 'qrforge-web-'));
  mkdirSync(join(webRoot, 'assets'));
  const index = '<!doctype html><title>QR Forge</title>';
  writeFileSync(join(webRoot, 'index.html'), index);
  writeFileSync(join(webRoot, 'index.html.br'), brotliCompressSync(index));
  writeFileSync(join(webRoot, 'index.html.gz'), gzipSync(index));
  const asset = join(webRoot, 'assets', 'index-abc123.js');
  writeFileSync(asset, script);
  writeFileSync(`${asset}.br`, brotliCompressSync(script));
  writeFileSync(`${asset}.gz`, gzipSync(script));
  const opened = await ENGINES[0].open();
  cleanup = opened.cleanup;
  app = await buildApp(testConfig({ dataDir: opened.dataDir }), {
    database: opened.handle,
    webRoot,
  });
});
afterAll(async () => {
  await app.server.close();
  await cleanup();
});

it('sends the assets precompressed, by what the browser accepts', async () => {
  const url = '/assets/index-abc123.js';
  const br = await app.server.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers.vary).toMatch(/accept-encoding/i);
  expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);
  expect(br.rawPayload.length).toBeLessThan(script.length / 10);
  const gzip = await app.server.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  expect(gzip.headers['content-encoding']).toBe('gzip');
  const plain = await app.server.inject({ url });
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.body).toBe(script);
});

// Regression: @fastify/static's root route (wildcard: false, preCompressed) answered 404 to a
// client that takes br without asking for text/html (curl, a monitor).
it('serves the page at / to any client, compressed by what it takes', async () => {
  for (const headers of [{ 'accept-encoding': 'br' }, { 'accept-encoding': 'gzip' }, {}]) {
    const page = await app.server.inject({ url: '/', headers });
    expect([page.statusCode, page.headers['content-type']]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);
    expect(page.headers['content-encoding']).toBe(headers['accept-encoding']);
  }
});

it('compresses JSON over 1 KiB, not small answers, not PNG', async () => {
  const headers = { 'accept-encoding': 'br, gzip' };
  const large = await app.server.inject({ url: '/openapi.json', headers });
  expect(large.headers['content-encoding']).toBe('br');
  expect(JSON.parse(brotliDecompressSync(large.rawPayload).toString())).toHaveProperty('paths');
  const small = await app.server.inject({ url: '/health', headers });
  expect(small.headers['content-encoding']).toBeUndefined();
  const png = await app.server.inject({
    method: 'POST',
    url: '/generate',
    headers,
    payload: { data: 'x'.repeat(500), format: 'PNG' },
  });
  expect(png.headers['content-type']).toBe('image/png');
  expect(png.headers['content-encoding']).toBeUndefined();
});
