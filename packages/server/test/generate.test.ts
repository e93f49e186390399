/**
 * The generate module through HTTP: the seed's POST /generate, POST /api/v1/codes in every format
 * and payload type (each answer read back by ZXing), styling, storing and history, signed render
 * URLs, anonymous access, and the generation metrics.
 */
import { createHash } from 'node:crypto';
import { buildPayload, type Payload } from '@qrforge/qr/payloads';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQr } from '../../qr/test/helpers/zxing.js';
import { buildApp, type App } from '../src/app.js';
import { auditLog } from '../src/platform/db/schema.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants, TEST_PASSWORD } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';

let app: App;
let handle: DatabaseHandle;
let cleanup: () => Promise<void>;
let tenantA: string;
const auth: Record<string, { authorization: string }> = {};

beforeAll(async () => {
  ({ handle, cleanup } = await ENGINES[0].open());
  app = await buildApp(
    testConfig({
      jwtSecret: 'generate-test-secret-generate-test-0123',
      anonymousRateLimitMax: 1000,
    }),
    { database: handle },
  );
  ({ tenantA } = await twoTenants(app));
  await app.accounts!.addUser({
    email: 'viewer@a.test',
    password: TEST_PASSWORD,
    tenantId: tenantA,
    role: 'viewer',
  });
  for (const email of ['admin@a.test', 'admin@b.test', 'viewer@a.test'])
    auth[email] = { authorization: `Bearer ${await signIn(app, email)}` };
});
afterAll(async () => {
  await app.server.close();
  await cleanup();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.server.inject({ method: 'POST', url, payload: payload as object, headers });

async function decoded(res: Awaited<ReturnType<typeof post>>): Promise<string[]> {
  expect(res.statusCode, res.body).toBe(200);
  return decodeFile(res.rawPayload, String(res.headers['content-type']));
}

describe("the seed's POST /generate", () => {
  it('returns a PNG of the data, without credentials', async () => {
    const res = await post('/generate', { data: 'test', format: 'PNG' });
    expect(res.headers['content-type']).toBe('image/png');
    expect(await decoded(res)).toEqual(['test']);
  });

  it('answers 400 problem+json naming the field for empty data', async () => {
    const res = await post('/generate', { data: '', format: 'PNG' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_ERR_REQUEST',
      errors: [{ field: 'body.data' }],
    });
  });

  it('takes SVG and PDF in any case, and refuses other formats naming the field', async () => {
    expect(await decoded(await post('/generate', { data: 'svg', format: 'svg' }))).toEqual(['svg']);
    expect(await decoded(await post('/generate', { data: 'pdf', format: 'Pdf' }))).toEqual(['pdf']);
    const gif = await post('/generate', { data: 'x', format: 'GIF' });
    expect(gif.statusCode).toBe(400);
    expect(gif.json()).toMatchObject({ errors: [{ field: 'body.format' }] });
  });
});

describe('POST /api/v1/codes', () => {
  it.each(['png', 'svg', 'pdf', 'txt'] as const)('%s decodes to the data', async (format) => {
    const data = `QR Forge ${format} ✓ https://example.com/p?id=42`;
    const res = await post('/api/v1/codes', { data, format });
    expect(res.headers.etag).toMatch(/^".+"$/);
    expect(await decoded(res)).toEqual([data]);
  });

  it('marks non-ASCII text as UTF-8 (ECI 26) unless told not to (eci: false)', async () => {
    const data = 'Müller & Söhne 東京 №42';
    const read = async (style: object) => {
      const res = await post('/api/v1/codes', { data, format: 'png', ...style });
      const [result] = await decodeQr(res.rawPayload);
      return [result.text, result.hasECI];
    };
    expect(await read({})).toEqual([data, true]);
    expect(await read({ eci: false })).toEqual([data, false]);
    expect((await read({ eci: true }))[1]).toBe(true);
    const ascii = await post('/api/v1/codes', { data: 'PAD-V0100', format: 'png' });
    expect((await decodeQr(ascii.rawPayload))[0].hasECI).toBe(false);
  });

  const PAYLOADS: Payload[] = [
    { type: 'url', url: 'https://example.com/a?b=c' },
    { type: 'text', text: 'Hello; world' },
    { type: 'wifi', ssid: 'Line 3', password: 'correct horse', encryption: 'WPA' },
    { type: 'vcard', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    { type: 'mecard', firstName: 'Alan', lastName: 'Turing', phone: '+44 1234' },
    { type: 'email', to: 'ops@example.com', subject: 'Line 3', body: 'Stopped' },
    { type: 'sms', phone: '+15551234567', message: 'Hi' },
    { type: 'tel', phone: '+15551234567' },
    { type: 'geo', latitude: 52.52, longitude: 13.405 },
    { type: 'event', summary: 'Audit', start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' },
    { type: 'gs1', gtin: '09506000134352', lot: 'L2025-09', serial: '00001' },
  ];
  it.each(PAYLOADS)('payload $type decodes to the payload text', async (payload) => {
    const res = await post('/api/v1/codes', { payload, format: 'png' });
    expect(await decoded(res)).toEqual([buildPayload(payload)]);
  });

  it('names the field of a bad payload, and an unknown payload type', async () => {
    const missing = await post('/api/v1/codes', { payload: { type: 'wifi' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ errors: [{ field: 'body.payload.ssid' }] });
    const unknown = await post('/api/v1/codes', { payload: { type: 'fax', number: '1' } });
    expect(unknown.json()).toMatchObject({
      errors: [
        { field: 'body.payload.type', message: '"fax" is not one of the documented values' },
      ],
    });
    const both = await post('/api/v1/codes', { data: 'x', payload: { type: 'tel', phone: '1' } });
    expect(both.statusCode).toBe(400);
    const weak = await post('/api/v1/codes', {
      payload: { type: 'wifi', ssid: 'x', password: 'p' },
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json<{ detail: string }>().detail).toContain('wifi.password');
  });

  it('styles: colours, shapes and a logo still decode; a bad colour is named', async () => {
    const logo = `data:image/svg+xml;base64,${Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#e11"/></svg>',
    ).toString('base64')}`;
    for (const style of [
      { dark: '#1a237e', light: '#fff8e1' },
      { moduleShape: 'dot', finderShape: 'rounded', finderColor: '#b71c1c' },
      { moduleShape: 'rounded', logo: { image: logo, size: 0.22 } },
    ]) {
      for (const format of ['png', 'svg']) {
        const res = await post('/api/v1/codes', { data: 'styled', format, size: 600, ...style });
        expect([format, style, await decoded(res)]).toEqual([format, style, ['styled']]);
      }
    }
    const logoCode = await post('/api/v1/codes', { data: 'styled', logo: { image: logo } });
    expect(logoCode.headers['x-qr-ecc']).toBe('H');
    const bad = await post('/api/v1/codes', { data: 'x', dark: 'url(javascript:1)' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ detail: string }>().detail).toContain('dark');
  });

  it('PDF: page sizes and a label; styled PDF is refused with a reason', async () => {
    for (const pdf of [
      { page: 'A4', label: 'PAD-V0100-L2025-09-00001' },
      { page: 'Letter', sizeMm: 30 },
    ]) {
      const res = await post('/api/v1/codes', { data: 'pdf page', format: 'pdf', pdf });
      expect(await decoded(res)).toEqual(['pdf page']);
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }
    const styled = await post('/api/v1/codes', { data: 'x', format: 'pdf', moduleShape: 'dot' });
    expect(styled.statusCode).toBe(422);
  });

  it('answers 304 to a repeat with If-None-Match', async () => {
    const first = await post('/api/v1/codes', { data: 'etag' });
    const again = await post(
      '/api/v1/codes',
      { data: 'etag' },
      {
        'if-none-match': String(first.headers.etag),
      },
    );
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it('counts codes by format and times them; a repeat comes from the render cache', async () => {
    const count = async (pattern: RegExp) =>
      Number(pattern.exec((await app.server.inject('/metrics')).body)?.[1] ?? 0);
    const before = {
      svg: await count(/^qr_codes_generated_total\{format="svg"\} (\d+)$/m),
      renders: await count(/^qr_generation_duration_seconds_count (\d+)$/m),
      hits: await count(/^cache_hits_total (\d+)$/m),
    };
    const first = await post('/api/v1/codes', { data: 'metric', format: 'svg' });
    const again = await post('/api/v1/codes', { data: 'metric', format: 'svg' });
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(await count(/^qr_codes_generated_total\{format="svg"\} (\d+)$/m)).toBe(before.svg + 2);
    expect(await count(/^qr_generation_duration_seconds_count (\d+)$/m)).toBe(before.renders + 1);
    expect(await count(/^cache_hits_total (\d+)$/m)).toBe(before.hits + 1);
  });
});

describe('stored codes and history', () => {
  it('stores, lists, downloads, thumbnails and deletes, audited', async () => {
    const created = await post(
      '/api/v1/codes',
      {
        payload: { type: 'wifi', ssid: 'Line 3', password: 'secret passphrase' },
        store: true,
        format: 'svg',
      },
      auth['admin@a.test'],
    );
    expect(created.statusCode, created.body).toBe(201);
    const code = created.json<{
      id: string;
      summary: string;
      sha256: string;
      downloadUrl: string;
      thumbnailUrl: string;
    }>();
    expect(code.summary).toBe('Wi-Fi Line 3');
    expect(created.headers.location).toBe(`/api/v1/codes/${code.id}`);

    const download = await app.server.inject({
      url: code.downloadUrl,
      headers: auth['admin@a.test'],
    });
    expect(download.statusCode).toBe(200);
    expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(code.sha256);
    expect(await decodeFile(download.rawPayload, 'image/svg+xml')).toEqual([
      'WIFI:T:WPA;S:Line 3;P:secret passphrase;;',
    ]);
    // A signed link works without credentials, and only as signed.
    const link = await app.server.inject({
      url: `/api/v1/codes/${code.id}/download-url`,
      headers: auth['viewer@a.test'],
    });
    const { url, expiresAt } = link.json<{ url: string; expiresAt: string }>();
    expect(url).toMatch(/^\/api\/v1\/downloads\?/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const linked = await app.server.inject({ url });
    expect(linked.statusCode).toBe(200);
    expect(linked.headers['content-disposition']).toBe(`attachment; filename="qr-${code.id}.svg"`);
    expect(createHash('sha256').update(linked.rawPayload).digest('hex')).toBe(code.sha256);
    const forged = await app.server.inject({
      url: url.replace(/key=[^&]+/, 'key=other%2Fcodes%2Fx.svg'),
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ detail: 'This download link signature is not valid' });

    const thumb = await app.server.inject({
      url: code.thumbnailUrl,
      headers: auth['viewer@a.test'],
    });
    expect(await decodeFile(thumb.rawPayload, 'image/png')).toHaveLength(1);

    const list = await app.server.inject({
      url: '/api/v1/codes?type=wifi',
      headers: auth['viewer@a.test'],
    });
    expect(list.json<{ codes: { id: string }[] }>().codes.map((c) => c.id)).toContain(code.id);
    const otherTenant = await app.server.inject({
      url: '/api/v1/codes',
      headers: auth['admin@b.test'],
    });
    expect(otherTenant.json<{ codes: unknown[] }>().codes).toEqual([]);

    const viewerDelete = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/codes/${code.id}`,
      headers: auth['viewer@a.test'],
    });
    expect(viewerDelete.statusCode).toBe(403);
    const removed = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/codes/${code.id}`,
      headers: auth['admin@a.test'],
    });
    expect(removed.statusCode).toBe(204);
    expect(
      (await app.server.inject({ url: `/api/v1/codes/${code.id}`, headers: auth['admin@a.test'] }))
        .statusCode,
    ).toBe(404);
    expect((await app.server.inject('/metrics')).body).toMatch(
      /^storage_uploads_total\{provider="file",result="ok"\} [1-9]\d*$/m,
    );
    const actions = (
      await handle.db.select().from(auditLog).where(eq(auditLog.targetId, code.id))
    ).map((e) => e.action);
    expect(actions.sort()).toEqual(['code.create', 'code.delete']);
  });

  it('pages through history with a cursor, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await post('/api/v1/codes', { data: `page ${i}`, store: true }, auth['admin@b.test'])
        ).json<{ id: string }>().id,
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json: <T>() => T } = await app.server.inject({
        url: `/api/v1/codes?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth['admin@b.test'],
      });
      const page = res.json<{ codes: { id: string }[]; nextCursor: string | null }>();
      seen.push(...page.codes.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('store needs a signed-in operator', async () => {
    expect((await post('/api/v1/codes', { data: 'x', store: true })).statusCode).toBe(401);
    expect(
      (await post('/api/v1/codes', { data: 'x', store: true }, auth['viewer@a.test'])).statusCode,
    ).toBe(403);
  });
});

describe('render URLs', () => {
  it('needs credentials or a valid signature; signed URLs expire and cannot be altered', async () => {
    const url = '/api/v1/codes/render?data=hello&format=svg&size=200';
    expect((await app.server.inject(url)).statusCode).toBe(401);
    const authed = await app.server.inject({ url, headers: auth['viewer@a.test'] });
    expect(await decoded(authed)).toEqual(['hello']);
    expect(authed.headers['cache-control']).toBe('private, max-age=3600');
    expect(authed.headers['cross-origin-resource-policy']).toBe('same-origin');

    const signed = (
      await post(
        '/api/v1/codes/render-url',
        { data: 'hello', format: 'png', size: 256 },
        auth['viewer@a.test'],
      )
    ).json<{ url: string }>();
    const ok = await app.server.inject(signed.url);
    expect(await decoded(ok)).toEqual(['hello']);
    expect(ok.headers['cache-control']).toMatch(/^public, max-age=\d+, immutable$/);
    // Embeddable in other sites' pages; signed-in renders keep the platform's same-origin policy.
    expect(ok.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const again = await app.server.inject({
      url: signed.url,
      headers: { 'if-none-match': String(ok.headers.etag) },
    });
    expect(again.statusCode).toBe(304);

    const altered = await app.server.inject(signed.url.replace('data=hello', 'data=evil'));
    expect(altered.statusCode).toBe(401);
    const expiredUrl = signed.url.replace(/exp=\d+/, 'exp=1000');
    expect((await app.server.inject(expiredUrl)).statusCode).toBe(401);
  });
});

describe('anonymous generation', () => {
  it('can be switched off, and is limited per IP', async () => {
    const { handle: h, cleanup: c } = await ENGINES[0].open();
    const strict = await buildApp(testConfig({ anonymousGenerate: false }), { database: h });
    const refused = await strict.server.inject({
      method: 'POST',
      url: '/generate',
      payload: { data: 'x' },
    });
    expect(refused.statusCode).toBe(401);
    await strict.server.close();
    const limited = await buildApp(testConfig({ anonymousRateLimitMax: 3 }), { database: h });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await limited.server.inject({ method: 'POST', url: '/generate', payload: { data: 'x' } }))
          .statusCode,
      );
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    await limited.server.close();
    await c();
  });
});
