/**
 * HSTS and CSP's upgrade-insecure-requests only for requests that arrived over TLS (regression:
 * over plain HTTP by any name but localhost, Chromium rewrote every asset URL to https and the
 * page was blank). Over real HTTP, because the hot cache and the dynamic-code fast path answer
 * before Fastify and must choose the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { signedInApp } from './helpers/signed-in-app.js';

let app: App;
let base: string;
let auth: Record<string, string>;
let close: () => Promise<void>;
const forwardedTls = { 'x-forwarded-proto': 'https' };

beforeAll(async () => {
  ({ app, auth, close } = await signedInApp(ENGINES[0], {
    trustProxy: 'loopback',
    jwtSecret: 'transport-headers-secret-0123456789abc',
  }));
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}`;
});
afterAll(() => close());

/** What a response says about the transport: [HSTS present, CSP upgrades]. */
const transport = (response: Response) => [
  response.headers.has('strict-transport-security'),
  response.headers.get('content-security-policy')?.includes('upgrade-insecure-requests') ?? null,
];

describe('security headers by transport', () => {
  it('plain HTTP: no HSTS, no upgrade-insecure-requests; a trusted proxy’s https: both', async () => {
    for (const url of ['/health', '/api/v1/auth/me', '/no/such/route']) {
      expect(transport(await fetch(`${base}${url}`))).toEqual([false, false]);
      expect(transport(await fetch(`${base}${url}`, { headers: forwardedTls }))).toEqual([
        true,
        true,
      ]);
    }
    const plain = await fetch(`${base}/health`);
    expect(plain.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Ignored by browsers on an untrustworthy origin, with a console error: not sent there.
    expect(plain.headers.has('cross-origin-opener-policy')).toBe(false);
    const proxied = await fetch(`${base}/health`, { headers: forwardedTls });
    expect(proxied.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the hot cache and the redirect fast path choose per request, not per first answer', async () => {
    const { url } = (await (
      await fetch(`${base}/api/v1/codes/render-url`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'transport', format: 'png', size: 120 }),
      })
    ).json()) as { url: string };
    // First over "https" (it is kept), then the hits: one plain, one https.
    expect(transport(await fetch(`${base}${url}`, { headers: forwardedTls }))).toEqual([
      true,
      true,
    ]);
    expect(transport(await fetch(`${base}${url}`))).toEqual([false, false]);
    expect(transport(await fetch(`${base}${url}`, { headers: forwardedTls }))).toEqual([
      true,
      true,
    ]);

    const code = (await (
      await fetch(`${base}/api/v1/links/codes`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Transport', target: 'https://example.com/t' }),
      })
    ).json()) as { slug: string };
    const scan = (headers: Record<string, string> = {}) =>
      fetch(`${base}/q/${code.slug}`, { redirect: 'manual', headers });
    expect(transport(await scan(forwardedTls))).toEqual([true, true]);
    const fast = await scan();
    expect(fast.status).toBe(302);
    expect(transport(fast)).toEqual([false, false]);
    expect(transport(await scan(forwardedTls))).toEqual([true, true]);
  });
});

describe('an untrusted peer', () => {
  it('cannot claim https with X-Forwarded-Proto', async () => {
    const other = await buildApp(testConfig({ trustProxy: 'false' }));
    const res = await other.server.inject({ url: '/health', headers: forwardedTls });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    await other.server.close();
  });
});
