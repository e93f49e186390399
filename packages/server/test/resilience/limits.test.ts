/**
 * Requests at and past the limits: counts and batch sizes, concurrent batches, bodies, a slow
 * client, image bombs, fields nobody may set (mass assignment), and what every answer carries
 * (security headers, CORS, no stack traces). Each refusal is problem+json and changes nothing.
 */
import { connect } from 'node:net';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { closeDecodePool } from '../../src/modules/scanning/decode-pool.js';
import { batches } from '../../src/modules/generate/schema.js';
import { items } from '../../src/modules/inventory/schema.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { jobs, users } from '../../src/platform/db/schema.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { ENGINES } from '../helpers/engines.js';
import { forgedGif, forgedJpeg, forgedPng, greyPng } from '../helpers/images.js';
import { multipart } from '../helpers/multipart.js';
import { figure } from './figure.js';

const defaults = loadConfig({});
const problemJson = /^application\/problem\+json/;

describe('limits and hostile requests', () => {
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let auth: Record<string, string>;

  const jobsOf = async (tenant: string) =>
    (await handle.db.select({ n: count() }).from(jobs).where(eq(jobs.tenantId, tenant)))[0].n;

  beforeAll(async () => {
    const opened = await ENGINES[0].open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'limits-secret-limits-secret-limits-0123',
        corsOrigins: ['https://app.example.com'],
        rateLimitMax: 100_000,
      }),
      { database: handle },
    );
    // The queue is not started: accepted jobs stay queued, so the counts below are exact.
    ({ tenantA } = await twoTenants(app));
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  });
  afterAll(async () => {
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it('refuses bad counts at once and enqueues nothing', async () => {
    const jobsBefore = await jobsOf(tenantA);
    const counts: unknown[] = [0, -1, '1e3', defaults.inventoryMaxCount + 1, 1e9, 2.5, null];
    const times: number[] = [];
    for (const value of counts) {
      const started = performance.now();
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/inventory/generate',
        headers: auth,
        payload: {
          componentType: 'PAD',
          vendorCode: 'V0100',
          lotNumber: 'L1',
          manufacturingDate: '2026-01-01',
          count: value,
        },
      });
      times.push(performance.now() - started);
      expect([String(value), res.statusCode]).toEqual([
        String(value),
        value === defaults.inventoryMaxCount + 1 || value === 1e9 ? 413 : 400,
      ]);
      expect(res.headers['content-type']).toMatch(problemJson);
    }
    const emptyBatch = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers: auth,
      payload: { rows: [] },
    });
    expect(emptyBatch.statusCode).toBe(400);
    expect(await jobsOf(tenantA)).toBe(jobsBefore);
    expect((await handle.db.select({ n: count() }).from(items))[0].n).toBe(0);
    const slowest = Math.max(...times);
    expect(slowest).toBeLessThan(50);
    figure(
      'Batch size',
      `counts ${counts.map((c) => JSON.stringify(c)).join(', ')} and an empty batch: all 400/413 problem+json, slowest ${slowest.toFixed(1)} ms, 0 jobs enqueued, 0 items made`,
    );
  });

  it('holds one tenant to its cap of unfinished batches under 50 concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/batches',
          headers: auth,
          payload: { rows: [{ data: `concurrent ${i}` }] },
        }),
      ),
    );
    const accepted = answers.filter((r) => r.statusCode === 202).length;
    const refused = answers.filter((r) => r.statusCode === 429);
    expect(accepted).toBe(defaults.batchMaxActive);
    expect(refused).toHaveLength(50 - defaults.batchMaxActive);
    for (const r of refused) {
      expect(r.json()).toMatchObject({ code: 'BATCH_ERR_TOO_MANY_ACTIVE' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    const [{ n: recorded }] = await handle.db
      .select({ n: count() })
      .from(batches)
      .where(eq(batches.tenantId, tenantA));
    expect(recorded).toBe(defaults.batchMaxActive);
    figure(
      'Batch size',
      `50 concurrent batches from one tenant: ${accepted} accepted (cap QRFORGE_BATCH_MAX_ACTIVE=${defaults.batchMaxActive}), ${refused.length} answered 429 with Retry-After, ${recorded} recorded`,
    );
  });

  it('refuses an oversized body, __proto__ keys and unknown content types', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(Math.ceil(defaults.bodyLimitBytes * 1.1)) });
    const tooBig = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: big,
    });
    expect(tooBig.statusCode).toBe(413);
    const proto = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"data":"x","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
    const constructor = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"data":"x","constructor":{"prototype":{"admin":true}}}',
    });
    expect(constructor.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    for (const r of [tooBig, proto, constructor])
      expect(r.headers['content-type']).toMatch(problemJson);
    figure(
      'Fastify limits',
      `${(big.length / 2 ** 20).toFixed(2)} MB JSON -> 413 (limit ${defaults.bodyLimitBytes / 2 ** 20} MiB); __proto__ and constructor.prototype bodies -> 400; no prototype polluted`,
    );
  });

  it('closes a slowloris connection within the request timeout', async () => {
    const timeoutMs = 1500;
    const slowApp = await buildApp(testConfig({ requestTimeoutMs: timeoutMs }));
    await slowApp.server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = slowApp.server.server.address() as { port: number };
    try {
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        const header =
          'POST /api/v1/codes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
        let sent = 0;
        const drip = setInterval(() => {
          if (socket.writable) socket.write(sent < header.length ? header[sent++] : 'x');
        }, 50);
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('error', () => {});
        socket.on('close', () => {
          clearInterval(drip);
          resolve(received);
        });
      });
      const ms = Date.now() - started;
      expect(ms).toBeLessThan(timeoutMs + 2000);
      expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
      figure(
        'Fastify limits',
        `slowloris (1 byte per 50 ms): connection closed after ${ms} ms with ${answer ? '408' : 'no answer'} (requestTimeout ${timeoutMs} ms here; default QRFORGE_REQUEST_TIMEOUT_MS=${defaults.requestTimeoutMs})`,
      );
    } finally {
      await slowApp.server.close();
    }
  });

  it('refuses image bombs, wrong and truncated images from their headers, without memory growth', async () => {
    const decode = (body: ReturnType<typeof multipart>) =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/scans/decode',
        payload: body.payload,
        headers: { ...auth, ...body.headers },
      });
    const png = greyPng(64, 64, () => 255);
    const cases = [
      { name: 'bomb.png', bytes: forgedPng(20_000, 20_000), status: 413 },
      { name: 'bomb.jpg', bytes: forgedJpeg(20_000, 20_000), status: 413 },
      { name: 'bomb.gif', bytes: forgedGif(20_000, 20_000), status: 413 },
      { name: 'huge.png', bytes: forgedPng(60_000, 60_000), status: 413 },
      { name: 'not-an-image.png', bytes: Buffer.from('MZ\x90\x00 an executable'), status: 422 },
      { name: 'cut.png', bytes: png.subarray(0, png.length - 30), status: 422 },
      { name: 'big.png', bytes: Buffer.alloc(defaults.scanMaxBytes + 1, 1), status: 413 },
    ];
    // Bodies built before measuring, so the RSS figure is the server's, not the test's.
    const bodies = cases.map(({ name, bytes }) => multipart([{ name, bytes }]));
    await decode(multipart([{ name: 'warm.png', bytes: png }]));
    global.gc?.();
    const before = process.memoryUsage().rss;
    let slowest = 0;
    for (let round = 0; round < 5; round++)
      for (const [i, { name, status }] of cases.entries()) {
        const started = performance.now();
        const res = await decode(bodies[i]);
        slowest = Math.max(slowest, performance.now() - started);
        expect([name, res.statusCode]).toEqual([name, status]);
        expect(res.headers['content-type']).toMatch(problemJson);
        expect(res.json<{ detail: string }>().detail).toContain(name);
      }
    const grewMb = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grewMb).toBeLessThan(64);
    expect(slowest).toBeLessThan(100);
    figure(
      'Image upload bombs',
      `${cases.length * 5} hostile uploads (20000² PNG/JPEG/GIF, 60000² PNG, wrong magic bytes, truncated, over QRFORGE_SCAN_MAX_BYTES): 413/422 naming the file, slowest ${slowest.toFixed(1)} ms, RSS grew ${grewMb.toFixed(1)} MB; pixel limit ${defaults.scanMaxPixels.toLocaleString('en')} (sharp limitInputPixels)`,
    );
  });

  it('never lets a body set what the server owns (mass assignment)', async () => {
    const owned = {
      tenantId: '00000000-0000-0000-0000-000000000001',
      ownerId: '00000000-0000-0000-0000-000000000002',
      role: 'admin',
      scanCount: 999,
      createdAt: '2000-01-01T00:00:00Z',
      id: '00000000-0000-0000-0000-000000000003',
    };
    const doc = (await app.server.inject('/openapi.json')).json<{
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }
        >
      >;
    }>();
    // Every JSON body in the API is closed: unknown members are refused, never stored. The
    // public warranty form takes what a browser sends and reads only email and purchaseDate.
    const ignoresExtras = ['POST /i/{uid}/warranty', 'POST /{prefix}/i/{uid}/warranty'];
    const open: string[] = [];
    let bodies = 0;
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema || schema.type !== 'object') continue;
        bodies++;
        const route = `${method.toUpperCase()} ${path}`;
        if (schema.additionalProperties !== false && !ignoresExtras.includes(route))
          open.push(route);
      }
    expect(open, `open bodies: ${open.join(', ')}`).toEqual([]);

    const usersBefore = JSON.stringify(await handle.db.select().from(users));
    const attempts = [
      { method: 'POST', url: '/api/v1/codes', payload: { data: 'x', store: true, ...owned } },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          email: 'new@a.test',
          password: 'a fine long passphrase',
          ...owned,
          role: 'viewer',
        },
      },
      {
        method: 'PATCH',
        url: '/api/v1/auth/me',
        payload: { role: 'admin', tenantId: owned.tenantId },
      },
      {
        method: 'POST',
        url: '/api/v1/links/codes',
        payload: { name: 'n', target: 'https://example.com', ...owned },
      },
    ] as const;
    for (const attempt of attempts) {
      const res = await app.server.inject({ ...attempt, headers: auth });
      expect([attempt.url, res.statusCode]).toContain(res.statusCode === 404 ? 404 : 400);
      if (res.statusCode === 400)
        expect(res.json<{ errors: { field: string }[] }>().errors.length).toBeGreaterThan(0);
    }
    expect(JSON.stringify(await handle.db.select().from(users))).toBe(usersBefore);
    const me = await app.server.inject({ url: '/api/v1/auth/me', headers: auth });
    expect(me.body).not.toMatch(/passwordHash|password_hash|keyHash|secret/i);
    figure(
      'Mass assignment',
      `${bodies - ignoresExtras.length} of ${bodies} JSON request bodies closed (additionalProperties: false; the other ${ignoresExtras.length}, the public warranty form, reads only its 2 fields); tenantId/ownerId/role/scanCount/createdAt/id in 4 writes -> 400 naming them; users table unchanged; no hash in answers`,
    );
  });

  it('sends security headers on every answer, CORS only to allowed origins, and no stack traces', async () => {
    const doc = (await app.server.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const urls = Object.entries(doc.paths)
      .filter(([, methods]) => 'get' in methods)
      .map(([path]) => path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000'));
    urls.push('/', '/no/such/route', '/api/v1/codes/not-a-uuid');
    const missing: string[] = [];
    let stackTraces = 0;
    for (const url of urls) {
      for (const headers of [auth, {}]) {
        const res = await app.server.inject({
          url,
          headers: { ...headers, origin: 'https://evil.example' },
        });
        for (const header of [
          'x-content-type-options',
          'x-frame-options',
          'content-security-policy',
        ])
          if (!res.headers[header]) missing.push(`${url} ${header}`);
        if (res.headers['access-control-allow-origin'])
          missing.push(`${url} CORS for evil.example`);
        if (/\n\s+at .+\(.+:\d+:\d+\)|node_modules|\/src\//.test(res.body)) stackTraces++;
      }
    }
    expect(missing).toEqual([]);
    expect(stackTraces).toBe(0);
    const allowed = await app.server.inject({
      url: '/health',
      headers: { origin: 'https://app.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    figure(
      'Misconfig',
      `${urls.length} GET routes x 2 callers: helmet headers on 100 %, 0 CORS grants to a foreign origin, 0 stack traces or source paths in bodies`,
    );
  });
});
