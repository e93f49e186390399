/**
 * The hot cache over real HTTP (inject() does not pass through it): a signed render URL asked
 * again is answered before the pipeline with the same bytes and headers, a fresh request ID,
 * ETag revalidation and counted metrics; cross-origin requests, expired entries and a shutting
 * down server take the normal path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { HotCache } from '../src/platform/http/hot-cache.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';

let app: App;
let handle: DatabaseHandle;
let cleanup: () => Promise<void>;
let base: string;
let signedUrl: string;

beforeAll(async () => {
  ({ handle, cleanup } = await ENGINES[0].open());
  app = await buildApp(testConfig({ jwtSecret: 'hot-cache-test-secret-hot-cache-test-01' }), {
    database: handle,
  });
  await twoTenants(app);
  const token = await signIn(app, 'admin@a.test');
  base = await app.server.listen({ host: '127.0.0.1', port: 0 });
  const signed = await fetch(`${base}/api/v1/codes/render-url`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'hot', format: 'png', size: 200 }),
  });
  const { url } = (await signed.json()) as { url: string };
  signedUrl = `${base}${url}`;
});
afterAll(async () => {
  await app.server.close();
  await cleanup();
});

const metric = async (name: string, labels = '') =>
  Number(
    new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(
      await (await fetch(`${base}/metrics`)).text(),
    )?.[1] ?? 0,
  );
const without = (headers: Headers, ...names: string[]) => {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!names.includes(name)) kept[name] = value;
  });
  return kept;
};

describe('hot cache', () => {
  it('answers a repeated signed render with the same bytes and headers, counted', async () => {
    const first = await fetch(signedUrl);
    const firstBody = Buffer.from(await first.arrayBuffer());
    expect(await decodeFile(firstBody, 'image/png')).toEqual(['hot']);
    const hitsBefore = await metric('cache_hits_total');
    const requestsBefore = await metric(
      'http_requests_total',
      '{method="GET",handler="/api/v1/codes/render",status="200"}',
    );
    const second = await fetch(signedUrl, { headers: { 'x-request-id': 'trace-me' } });
    expect(Buffer.compare(Buffer.from(await second.arrayBuffer()), firstBody)).toBe(0);
    const perAnswer = [
      'date',
      'x-request-id',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'x-ratelimit-limit',
      'cache-control',
    ];
    expect(without(second.headers, ...perAnswer)).toEqual(without(first.headers, ...perAnswer));
    expect(second.headers.get('x-request-id')).toBe('trace-me');
    expect(second.headers.get('x-ratelimit-remaining')).toBeNull(); // answered before the limiter
    expect(second.headers.get('content-security-policy')).toBe(
      first.headers.get('content-security-policy'),
    );
    expect(second.headers.get('cache-control')).toMatch(/^public, max-age=\d+, immutable$/);
    expect(await metric('cache_hits_total')).toBe(hitsBefore + 1);
    expect(
      await metric(
        'http_requests_total',
        '{method="GET",handler="/api/v1/codes/render",status="200"}',
      ),
    ).toBe(requestsBefore + 1);

    const revalidated = await fetch(signedUrl, {
      headers: { 'if-none-match': String(first.headers.get('etag')) },
    });
    expect(revalidated.status).toBe(304);
  });

  it('leaves cross-origin requests and altered URLs to the normal path', async () => {
    const crossOrigin = await fetch(signedUrl, { headers: { origin: 'https://elsewhere.test' } });
    expect(crossOrigin.status).toBe(200);
    expect(crossOrigin.headers.get('x-ratelimit-limit')).not.toBeNull(); // went through the pipeline
    const altered = await fetch(signedUrl.replace('data=hot', 'data=hat'));
    expect(altered.status).toBe(401);
  });

  it('forgets an entry once its URL has expired, and stops when the server shuts down', () => {
    const cache = new HotCache(1024 * 1024);
    const answered: number[] = [];
    const response = {
      writeHead: (status: number) => answered.push(status),
      end: () => undefined,
    } as never;
    const request = (url: string) => ({ method: 'GET', url, headers: {} }) as never;
    const entry = {
      handler: '/x',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from('png'),
      etag: '"e"',
      onHit: () => undefined,
    };
    cache.remember('/fresh', { ...entry, expiresAt: Date.now() + 60_000 });
    cache.remember('/stale', { ...entry, expiresAt: Date.now() - 1 });
    expect(cache.serve(request('/fresh'), response)).toBe(true);
    expect(cache.serve(request('/stale'), response)).toBe(false);
    expect(cache.serve(request('/unknown'), response)).toBe(false);
    cache.disable();
    expect(cache.serve(request('/fresh'), response)).toBe(false);
    expect(answered).toEqual([200]);
  });
});
