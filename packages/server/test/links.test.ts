/**
 * Dynamic codes on both engines: the redirect goes only where the owner said (rules by device,
 * language and time, then the fallback), changes after printing take effect at once and are
 * audited, switched-off, expired and not-yet-valid codes show a page rather than an error, unknown
 * and malformed slugs are 404, and every scan is counted — analytics equal the scans made, bots
 * apart, no IP stored in clear.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface Code {
  id: string;
  slug: string;
  url: string;
  target: string;
}
interface Problem {
  errors: { field: string }[];
}
interface Analytics {
  scans: number;
  visitors: number;
  bots: number;
  byDay: { day: string; scans: number }[];
  byDevice: { key: string; scans: number }[];
  byLanguage: { key: string; scans: number }[];
  byBrowser: { key: string; scans: number }[];
  byResult: { key: string; scans: number }[];
  byCountry: { key: string; scans: number }[];
}

describe.each(ENGINES)('dynamic codes on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let cleanup: () => Promise<void>;
  let auth: Record<string, string>;
  let other: Record<string, string>;
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    url: string,
    payload?: object,
    headers = auth,
  ) => app.server.inject({ method, url, payload, headers });
  const create = async (body: object) => {
    const res = await call('POST', '/api/v1/links/codes', body);
    expect(res.statusCode).toBe(201);
    return res.json<Code>();
  };
  const scan = (slug: string, ua = DESKTOP, language = 'en-GB,en;q=0.9', ip = '203.0.113.9') =>
    app.server.inject({
      method: 'GET',
      url: `/q/${slug}`,
      headers: { 'user-agent': ua, 'accept-language': language },
      remoteAddress: ip,
    });
  /** Scans are written in batches: wait until the analytics count `scans` (bots apart). */
  const analytics = async (query: string, scans: number) => {
    for (let i = 0; ; i++) {
      const res = await call('GET', `/api/v1/links/analytics?${query}`);
      const body = res.json<Analytics>();
      if (body.scans >= scans || i > 100) return body;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'links-secret-links-secret-links-0123',
        scanLogFlushMs: 20,
        publicRateLimitMax: 40,
        // A real MMDB written by MaxMind's writer (fixtures/make-geoip.pl): 203.0.113/24 is CH,
        // 198.51.100/24 JP.
        geoipDb: fileURLToPath(new URL('fixtures/geoip-test.mmdb', import.meta.url)),
      }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    other = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)('routes by device, language and time, else the fallback', async () => {
    const now = new Date();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const code = await create({
      name: 'Manual',
      target: 'https://example.com/manual',
      rules: [
        // Never true: a window that ended a minute ago... unless it wraps to now (it does not).
        {
          hours: {
            from: hhmm(new Date(now.getTime() - 3 * 3600_000)),
            until: hhmm(new Date(now.getTime() - 2 * 3600_000)),
          },
          target: 'https://example.com/night',
        },
        { device: ['mobile'], language: ['fr'], target: 'https://example.com/fr/mobile' },
        { language: ['de'], target: 'https://example.com/de' },
        {
          hours: {
            from: hhmm(new Date(now.getTime() - 3600_000)),
            until: hhmm(new Date(now.getTime() + 3600_000)),
          },
          device: ['tablet'],
          target: 'https://example.com/tablet-now',
        },
      ],
    });
    expect(code.slug).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(code.url).toBe(`http://localhost:80/q/${code.slug}`);

    const fr = await scan(code.slug, IPHONE, 'fr-CH, fr;q=0.9');
    expect([fr.statusCode, fr.headers.location]).toEqual([302, 'https://example.com/fr/mobile']);
    expect(fr.headers['cache-control']).toBe('no-store');
    expect((await scan(code.slug, DESKTOP, 'de-DE')).headers.location).toBe(
      'https://example.com/de',
    );
    const ipad =
      'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    expect((await scan(code.slug, ipad, 'en')).headers.location).toBe(
      'https://example.com/tablet-now',
    );
    expect((await scan(code.slug, IPHONE, 'en-US')).headers.location).toBe(
      'https://example.com/manual',
    );
    // Nothing in the request chooses the target: no open redirect.
    const sneaky = await app.server.inject(`/q/${code.slug}?url=https://evil.test&to=//evil.test`);
    expect(sneaky.headers.location).toBe('https://example.com/manual');
  });

  it.skipIf(!available)(
    'changes after printing take effect at once and are audited; off, expired and not yet valid codes show a page',
    async () => {
      const code = await create({ name: 'Promo', target: 'https://example.com/a' });
      expect((await scan(code.slug)).headers.location).toBe('https://example.com/a');
      const moved = await call('PATCH', `/api/v1/links/codes/${code.id}`, {
        target: 'https://example.com/b',
      });
      expect(moved.statusCode).toBe(200);
      expect((await scan(code.slug)).headers.location).toBe('https://example.com/b');
      const audit = await call('GET', `/api/v1/audit?action=dynamic-code.retarget`);
      expect(audit.body).toContain('https://example.com/a');
      expect(audit.body).toContain('https://example.com/b');

      await call('PATCH', `/api/v1/links/codes/${code.id}`, { enabled: false });
      const off = await scan(code.slug);
      expect(off.statusCode).toBe(410);
      expect(off.headers['content-type']).toMatch(/^text\/html/);
      expect(off.body).toContain('This code is switched off');
      expect((await call('GET', '/api/v1/audit?action=dynamic-code.disable')).body).toContain(
        code.id,
      );

      await call('PATCH', `/api/v1/links/codes/${code.id}`, {
        enabled: true,
        validUntil: new Date(Date.now() - 1000).toISOString(),
      });
      const expired = await scan(code.slug);
      expect([expired.statusCode, expired.body.includes('This code has expired')]).toEqual([
        410,
        true,
      ]);
      const later = await create({
        name: 'Launch',
        target: 'https://example.com/launch',
        validFrom: new Date(Date.now() + 86_400_000).toISOString(),
      });
      const early = await scan(later.slug);
      expect([early.statusCode, early.body.includes('not active yet')]).toEqual([404, true]);

      for (const slug of ['ABCDEFGHJ', 'short', '..%2F..%2Fetc', 'a'.repeat(64)]) {
        const res = await scan(slug);
        expect([slug, res.statusCode]).toEqual([slug, 404]);
        expect(res.body).toContain('Unknown code');
      }
    },
  );

  it.skipIf(!available)(
    'the generator makes dynamic codes: the image encodes the short URL, retargeting moves it',
    async () => {
      const image = await call('POST', '/api/v1/codes', {
        payload: { type: 'url', url: 'https://example.com/datasheet-v1' },
        dynamic: true,
      });
      expect(image.statusCode, image.body).toBe(200);
      const id = image.headers['x-qr-dynamic-code'] as string;
      const short = image.headers['x-qr-short-url'] as string;
      expect(image.headers['cache-control']).toBe('no-store');
      expect(await decodeFile(image.rawPayload, 'image/png')).toEqual([short]);
      const slug = short.split('/q/')[1];
      expect((await scan(slug)).headers.location).toBe('https://example.com/datasheet-v1');
      await call('PATCH', `/api/v1/links/codes/${id}`, {
        target: 'https://example.com/datasheet-v2',
      });
      expect((await scan(slug)).headers.location).toBe('https://example.com/datasheet-v2');

      // Stored: the history record names its dynamic code.
      const stored = await call('POST', '/api/v1/codes', {
        data: 'https://example.com/stored',
        format: 'svg',
        dynamic: true,
        store: true,
      });
      expect(stored.statusCode, stored.body).toBe(201);
      const record = stored.json<{ content: string; summary: string; dynamicCode: Code }>();
      expect(record.dynamicCode.target).toBe('https://example.com/stored');
      expect(record.content).toBe(record.dynamicCode.url);
      expect(record.summary).toBe('Dynamic → example.com/stored');
      const listed = await call('GET', `/api/v1/links/codes/${record.dynamicCode.id}`);
      expect(listed.json()).toMatchObject({ name: 'example.com/stored', enabled: true });

      // Refusals name the problem; nothing is made.
      const before = (await call('GET', '/api/v1/links/codes?limit=100')).json<{
        codes: unknown[];
      }>().codes.length;
      const wifi = await call('POST', '/api/v1/codes', {
        payload: { type: 'wifi', ssid: 'Shop' },
        dynamic: true,
      });
      expect([wifi.statusCode, wifi.json<Problem>().errors[0].field]).toEqual([
        422,
        'body.payload',
      ]);
      const script = await call('POST', '/api/v1/codes', {
        data: 'javascript:alert(1)',
        dynamic: true,
      });
      expect([script.statusCode, script.json<Problem>().errors[0].field]).toEqual([
        422,
        'body.data',
      ]);
      const anonymous = await app.server.inject({
        method: 'POST',
        url: '/api/v1/codes',
        payload: { data: 'https://example.com', dynamic: true },
      });
      expect(anonymous.statusCode).toBe(401);
      const after = (await call('GET', '/api/v1/links/codes?limit=100')).json<{
        codes: unknown[];
      }>().codes.length;
      expect(after).toBe(before);
    },
  );

  it.skipIf(!available)(
    "a tenant's own address (domain and prefix) is printed on its new codes; old ones keep theirs",
    async () => {
      const before = await create({ name: 'Old', target: 'https://example.com/old' });
      const set = (baseUrl: string | null) =>
        call('PUT', '/api/v1/inventory/code-content', { mode: 'uid', baseUrl });
      expect((await set('https://qr.example.com/acme/')).statusCode).toBe(200);
      try {
        const own = await create({ name: 'Own', target: 'https://example.com/own' });
        expect(own.url).toBe(`https://qr.example.com/acme/q/${own.slug}`);
        const image = await call('POST', '/api/v1/codes', {
          data: 'https://example.com/own-image',
          dynamic: true,
        });
        expect(image.headers['x-qr-short-url']).toMatch(/^https:\/\/qr\.example\.com\/acme\/q\//);
        // Served under the prefix (by the pipeline) and at the root (slugs are global).
        const prefixed = await app.server.inject({
          url: `/acme/q/${own.slug}`,
          headers: { host: 'qr.example.com' },
        });
        expect([prefixed.statusCode, prefixed.headers.location]).toEqual([
          302,
          'https://example.com/own',
        ]);
        expect((await scan(own.slug)).headers.location).toBe('https://example.com/own');
        // A prefix (or host) no tenant owns is not an address of ours: 404, as HTML or JSON.
        for (const [url, host] of [
          [`/someone-else/q/${own.slug}`, 'qr.example.com'],
          [`/acme/q/${own.slug}`, 'elsewhere.example.com'],
        ]) {
          const stranger = await app.server.inject({ url, headers: { host } });
          expect([stranger.statusCode, stranger.headers['content-type']]).toEqual([
            404,
            'text/html; charset=utf-8',
          ]);
          const asJson = await app.server.inject({
            url,
            headers: { host, accept: 'application/json' },
          });
          expect([asJson.statusCode, asJson.headers['content-type']]).toEqual([
            404,
            'application/problem+json; charset=utf-8',
          ]);
        }
        const listed = (await call('GET', '/api/v1/links/codes?limit=100')).json<{
          codes: Code[];
        }>().codes;
        expect(listed.find((c) => c.id === before.id)?.url).toBe(before.url);
      } finally {
        await set(null);
      }
    },
  );

  it.skipIf(!available)('refuses targets that are not http(s) URLs, naming the field', async () => {
    for (const target of [
      'javascript:alert(1)',
      '//evil.test',
      'ftp://x.test/f',
      'https://u:p@x.test',
    ]) {
      const res = await call('POST', '/api/v1/links/codes', { name: 'x', target });
      expect([target, res.statusCode]).toEqual([target, 422]);
    }
    const rule = await call('POST', '/api/v1/links/codes', {
      name: 'x',
      target: 'https://example.com',
      rules: [{ language: ['fr'], target: 'data:text/html,hi' }],
    });
    expect(rule.json()).toMatchObject({
      code: 'LINK_ERR_INVALID',
      errors: [{ field: 'body.rules.0.target' }],
    });
    const zone = await call('POST', '/api/v1/links/codes', {
      name: 'x',
      target: 'https://example.com',
      rules: [
        {
          hours: { from: '08:00', until: '18:00' },
          timeZone: 'Mars/Olympus',
          target: 'https://example.com/day',
        },
      ],
    });
    expect(zone.statusCode).toBe(422);
  });

  it.skipIf(!available)(
    'counts every scan: analytics equal the scans made, bots apart, no IP in clear',
    async () => {
      const code = await create({ name: 'Counted', target: 'https://example.com/c' });
      for (let i = 0; i < 7; i++) await scan(code.slug, IPHONE, 'fr-FR', `203.0.113.${i % 3}`);
      for (let i = 0; i < 3; i++) await scan(code.slug, DESKTOP, 'en-US', '198.51.100.7');
      for (let i = 0; i < 2; i++) await scan(code.slug, GOOGLEBOT, '', '66.249.66.1');
      const stats = await analytics(`codeId=${code.id}`, 10);
      expect(stats).toMatchObject({ scans: 10, bots: 2, visitors: 4 });
      expect(stats.byDevice).toEqual([
        { key: 'mobile', scans: 7 },
        { key: 'desktop', scans: 3 },
      ]);
      expect(stats.byLanguage).toEqual([
        { key: 'fr-fr', scans: 7 },
        { key: 'en-us', scans: 3 },
      ]);
      expect(stats.byBrowser.map((b) => b.key).sort()).toEqual(['Chrome', 'Safari']);
      expect(stats.byDay).toEqual([{ day: new Date().toISOString().slice(0, 10), scans: 10 }]);
      expect(stats.byResult).toEqual([{ key: 'redirected', scans: 10 }]);
      expect(stats.byCountry).toEqual([
        { key: 'CH', scans: 7 },
        { key: 'JP', scans: 3 },
      ]);

      const csv = await call('GET', `/api/v1/links/scans?codeId=${code.id}`);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe(
        'at,result,code_id,item_uid,lot,target,device,browser,os,language,referrer,country,visitor,bot',
      );
      expect(lines).toHaveLength(13);
      expect(csv.body).not.toMatch(/203\.0\.113|198\.51\.100|66\.249/);
      expect(lines.filter((line) => line.includes(',CH,'))).toHaveLength(7);

      const metrics = (await call('GET', '/metrics')).body;
      expect(metrics).toMatch(/qr_redirects_total\{result="redirected"\} [1-9]/);
      expect(metrics).toMatch(/qr_redirect_duration_seconds_count [1-9]/);

      // Another tenant sees neither the code nor its scans.
      expect(
        (await call('GET', `/api/v1/links/codes/${code.id}`, undefined, other)).statusCode,
      ).toBe(404);
      const theirs = (
        await call('GET', `/api/v1/links/analytics?codeId=${code.id}`, undefined, other)
      ).json<Analytics>();
      expect(theirs.scans).toBe(0);
    },
  );

  it.skipIf(!available)(
    'answers repeat scans before the pipeline with the same headers, counted and rate-limited',
    async () => {
      const code = await create({ name: 'Fast', target: 'https://example.com/fast' });
      await app.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.server.address() as { port: number };
      const get = () =>
        fetch(`http://127.0.0.1:${port}/q/${code.slug}`, {
          redirect: 'manual',
          headers: { 'user-agent': DESKTOP },
        });
      const first = await get(); // the route: learns the headers, fills the cache
      const later = await get(); // the fast path
      for (const res of [first, later]) {
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toBe('https://example.com/fast');
      }
      const names = (res: Response) => {
        const all: string[] = [];
        res.headers.forEach((_value, name) => all.push(name));
        return all.filter((n) => !['date', 'x-request-id'].includes(n)).sort();
      };
      expect(names(later)).toEqual(names(first));
      expect(later.headers.get('content-security-policy')).toBe(
        first.headers.get('content-security-policy'),
      );
      expect(later.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
      // Every scan counted, whichever path answered it.
      for (let i = 0; i < 8; i++) await get();
      expect((await analytics(`codeId=${code.id}`, 10)).scans).toBe(10);
      // Over QRFORGE_PUBLIC_RATE_LIMIT_MAX (40 here) from one address: 429, named.
      let limited: Response | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await get();
        if (res.status === 429) limited = res;
      }
      expect(limited?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited?.json()).toMatchObject({ code: 'HTTP_ERR_RATE_LIMITED' });
    },
  );
});
