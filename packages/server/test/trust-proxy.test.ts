/**
 * Behind a proxy (QRFORGE_TRUST_PROXY): the client's address comes from X-Forwarded-For, in the
 * pipeline and in the dynamic-code fast path alike, so each client has its own rate limit and
 * visitor key; without the setting a forged X-Forwarded-For changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

describe('QRFORGE_TRUST_PROXY', () => {
  let app: App | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await app?.server.close();
    await cleanup?.();
    app = cleanup = undefined;
  });

  async function start(trustProxy: string) {
    const opened = await ENGINES[0].open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({ dataDir: opened.dataDir, trustProxy, publicRateLimitMax: 2 }),
      { database: opened.handle },
    );
    await twoTenants(app);
    const auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    const code = (
      await app.server.inject({
        method: 'POST',
        url: '/api/v1/links/codes',
        headers: auth,
        payload: { name: 'Proxied', target: 'https://example.com/p' },
      })
    ).json<{ slug: string }>();
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.server.address() as { port: number };
    /** Scans through "the proxy" (this test, on loopback) for a client address. */
    return (client: string) =>
      fetch(`http://127.0.0.1:${port}/q/${code.slug}`, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': client },
      }).then((r) => r.status);
  }

  it('trusted loopback proxy: each forwarded client has its own limit', async () => {
    const scan = await start('loopback');
    // The third scan of one client is refused (two per window); the fast path answers the repeats.
    expect([
      await scan('198.51.100.1'),
      await scan('198.51.100.1'),
      await scan('198.51.100.1'),
    ]).toEqual([302, 302, 429]);
    expect(await scan('198.51.100.2')).toBe(302);
  });

  it('no trusted proxy: X-Forwarded-For is ignored, the socket is the client', async () => {
    const scan = await start('false');
    expect([
      await scan('198.51.100.1'),
      await scan('198.51.100.2'),
      await scan('198.51.100.3'),
    ]).toEqual([302, 302, 429]);
  });

  it('refuses a setting that is neither a switch nor addresses', () => {
    expect(() => loadConfig({ QRFORGE_TRUST_PROXY: 'the-load-balancer' })).toThrow(
      'QRFORGE_TRUST_PROXY',
    );
    expect(loadConfig({ QRFORGE_TRUST_PROXY: '10.0.0.0/8, uniquelocal' }).trustProxy).toBe(
      '10.0.0.0/8, uniquelocal',
    );
  });
});
