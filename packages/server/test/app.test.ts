/**
 * The HTTP platform through inject(): health, readiness, metrics, OpenAPI and docs, problem+json
 * errors for every kind of bad request, request IDs, security headers and CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { Type } from 'typebox';
import { testConfig } from './helpers/config.js';

let app: App;
let database: DatabaseHandle;

beforeAll(async () => {
  const config = testConfig({ bodyLimitBytes: 2048, corsOrigins: ['https://app.example.com'] });
  database = await openDatabase(config);
  await database.migrate();
  app = await buildApp(config, { database });
  // A route with a schema, to see validation problems.
  app.server.post(
    '/test/echo',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), count: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => request.body,
  );
  app.server.get('/test/boom', async () => {
    throw new Error('secret internal detail');
  });
  await app.server.ready();
});

afterAll(async () => {
  await app.server.close();
  await database.close();
});

describe('health', () => {
  it('GET /health answers 200', async () => {
    const res = await app.server.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready checks the database, and answers 503 once shutting down', async () => {
    const ok = await app.server.inject('/ready');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, storage: { ok: true } },
    });
  });

  it('GET /ready answers 503 naming a dependency that fails', async () => {
    const config = testConfig();
    const other = await buildApp(config);
    other.health.addCheck({
      name: 'storage',
      check: () => Promise.reject(new Error('bucket unreachable')),
    });
    const res = await other.server.inject('/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'unavailable',
      checks: { storage: { ok: false, error: 'bucket unreachable' } },
    });
    other.health.markShuttingDown();
    other.health.addCheck({ name: 'fine', check: () => Promise.resolve() });
    expect((await other.server.inject('/ready')).json()).toMatchObject({
      checks: { process: { ok: false, error: 'shutting down' } },
    });
    await other.server.close();
  });
});

describe('metrics', () => {
  it('counts requests by route pattern, never by raw URL', async () => {
    await app.server.inject('/health');
    await app.server.inject('/no/such/path/12345');
    const text = (await app.server.inject('/metrics')).body;
    expect(text).toMatch(
      /^http_requests_total\{method="GET",handler="\/health",status="200"\} \d+$/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{method="GET",handler="unmatched",status="404"\} \d+$/m,
    );
    expect(text).not.toContain('12345');
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0.005",method="GET",handler="\/health"\}/m,
    );
    expect(text).toMatch(/^# TYPE http_requests_inprogress gauge$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('OpenAPI', () => {
  it('serves the document and Swagger UI from our own files', async () => {
    const doc = (await app.server.inject('/openapi.json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    const ui = await app.server.inject('/docs');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    expect(ui.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
  });
});

describe('problem+json errors', () => {
  const isProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status,
      code,
      type: `urn:qrforge:error:${code.toLowerCase()}`,
      requestId: res.headers['x-request-id'],
    });
  };

  it('404 for an unknown route', async () => {
    isProblem(await app.server.inject('/nope'), 404, 'HTTP_ERR_NOT_FOUND');
  });

  it('400 naming every invalid field, unknown fields included', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { name: '', count: 0, role: 'admin' },
    });
    isProblem(res, 400, 'VALIDATION_ERR_REQUEST');
    const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.count', 'body.role']));
  });

  it('400 for malformed JSON and for __proto__ keys', async () => {
    isProblem(
      await app.server.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":',
      }),
      400,
      'VALIDATION_ERR_REQUEST',
    );
    isProblem(
      await app.server.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":"a","count":1,"__proto__":{"admin":true}}',
      }),
      400,
      'VALIDATION_ERR_REQUEST',
    );
  });

  it('413 for a body over the limit, 415 for an unknown content type', async () => {
    isProblem(
      await app.server.inject({
        method: 'POST',
        url: '/test/echo',
        payload: { name: 'x'.repeat(4000), count: 1 },
      }),
      413,
      'HTTP_ERR_BODY_TOO_LARGE',
    );
    isProblem(
      await app.server.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/x-nope' },
        payload: 'x',
      }),
      415,
      'HTTP_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('500 without internal details for an unexpected error', async () => {
    const res = await app.server.inject('/test/boom');
    isProblem(res, 500, 'SERVER_ERR_INTERNAL');
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('at ');
  });
});

describe('request IDs, headers, CORS', () => {
  it('keeps a plain X-Request-Id and replaces a hostile one', async () => {
    expect(
      (await app.server.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })).headers[
        'x-request-id'
      ],
    ).toBe('abc-123');
    const replaced = (
      await app.server.inject({ url: '/health', headers: { 'x-request-id': 'a\nb' } })
    ).headers['x-request-id'];
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends helmet security headers', async () => {
    const res = await app.server.inject('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // Plain HTTP (inject): HSTS only over TLS (transport-headers.test.ts).
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('allows only the configured origins', async () => {
    const allowed = await app.server.inject({
      url: '/health',
      headers: { origin: 'https://app.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await app.server.inject({
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
