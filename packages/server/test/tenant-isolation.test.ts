/**
 * Tenant isolation (OWASP API1): every route with an ID in the OpenAPI document, called for a
 * resource of tenant A by an admin of tenant B, answers 404 and changes nothing; the owner gets
 * through. A new route with an ID fails this test until it has a fixture below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { signIn, TEST_PASSWORD as PASSWORD, twoTenants } from './helpers/accounts.js';

interface Fixture {
  /** Creates a resource of the tenant and returns its ID. */
  create: () => Promise<string>;
  body?: unknown;
  /** Status the owner gets (proves the request itself is valid). */
  ownerStatus: number;
  /** Values of the path's other parameters. */
  params?: Record<string, string>;
}

describe('tenant isolation over every route with an ID', () => {
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  const token: Record<'a' | 'b', string> = { a: '', b: '' };

  beforeAll(async () => {
    ({ handle, cleanup } = await ENGINES[0].open());
    app = await buildApp(testConfig({ jwtSecret: 'isolation-secret-isolation-secret-0123' }), {
      database: handle,
    });
    ({ tenantA } = await twoTenants(app));
    token.a = await signIn(app, 'admin@a.test');
    token.b = await signIn(app, 'admin@b.test');
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
  });

  /** A code stored by tenant A's admin. */
  const storedCode = async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers: { authorization: `Bearer ${token.a}` },
      payload: { data: 'isolation', store: true },
    });
    return res.json<{ id: string }>().id;
  };

  /** A batch started by tenant A's admin (its job never runs here: no worker). */
  const batch = async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers: { authorization: `Bearer ${token.a}` },
      payload: { rows: [{ data: 'isolation' }] },
    });
    return res.json<{ id: string }>().id;
  };

  const fixtures = (): Record<string, Fixture> => ({
    'PATCH /api/v1/users/{id}': {
      create: async () =>
        (
          await app.accounts!.addUser({
            email: `u${Math.random()}@a.test`,
            password: PASSWORD,
            tenantId: tenantA,
            role: 'viewer',
          })
        ).id,
      body: { disabled: false },
      ownerStatus: 204,
    },
    'DELETE /api/v1/api-keys/{id}': {
      create: async () =>
        (await app.accounts!.createApiKey({ tenantId: tenantA, name: 'k', role: 'viewer' })).id,
      ownerStatus: 204,
    },
    'GET /api/v1/jobs/{id}': {
      create: async () => (await app.queue!.enqueue(tenantA, 'test.none', {})).id,
      ownerStatus: 200,
    },
    'GET /api/v1/jobs/{id}/events': {
      create: async () => {
        const job = await app.queue!.enqueue(tenantA, 'test.none', {});
        await app.queue!.cancel(tenantA, job.id); // finished: the owner's stream ends at once
        return job.id;
      },
      ownerStatus: 200,
    },
    'GET /api/v1/codes/{id}': { create: storedCode, ownerStatus: 200 },
    'GET /api/v1/codes/{id}/download': { create: storedCode, ownerStatus: 200 },
    'GET /api/v1/codes/{id}/download-url': { create: storedCode, ownerStatus: 200 },
    'GET /api/v1/codes/{id}/thumbnail': { create: storedCode, ownerStatus: 200 },
    'DELETE /api/v1/codes/{id}': { create: storedCode, ownerStatus: 204 },
    'GET /api/v1/batches/{id}': { create: batch, ownerStatus: 200 },
    'GET /api/v1/batches/{id}/files/{file}': {
      create: batch,
      params: { file: 'input' },
      ownerStatus: 200,
    },
    'GET /api/v1/batches/{id}/files/{file}/download-url': {
      create: batch,
      params: { file: 'input' },
      ownerStatus: 200,
    },
    'POST /api/v1/jobs/{id}/cancel': {
      create: async () => (await app.queue!.enqueue(tenantA, 'test.none', {})).id,
      ownerStatus: 202,
    },
  });

  it('covers every route with an ID in the OpenAPI document', async () => {
    const doc = (await app.server.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const withId = Object.entries(doc.paths).flatMap(([path, methods]) =>
      path.includes('{id}') ? Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`) : [],
    );
    expect(withId.length).toBeGreaterThanOrEqual(5);
    expect(withId.sort()).toEqual(Object.keys(fixtures()).sort());
  });

  it('answers 404 to another tenant and changes nothing; the owner gets through', async () => {
    const results: string[] = [];
    for (const [route, fixture] of Object.entries(fixtures())) {
      const [method, path] = route.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
      const id = await fixture.create();
      let url = path.replace('{id}', id);
      for (const [name, value] of Object.entries(fixture.params ?? {}))
        url = url.replace(`{${name}}`, value);
      const request = (who: 'a' | 'b') =>
        app.server.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token[who]}` },
          ...(fixture.body ? { payload: fixture.body } : {}),
        });
      const foreign = await request('b');
      results.push(`${route}: ${foreign.statusCode}`);
      expect(foreign.body).not.toContain(tenantA);
      const owner = await request('a');
      expect([route, owner.statusCode]).toEqual([route, fixture.ownerStatus]);
    }
    console.info(
      `tenant isolation: ${results.filter((r) => r.endsWith(': 404')).length} of ${results.length} routes answered 404 to another tenant`,
    );
    expect(results.every((r) => r.endsWith(': 404'))).toBe(true);
  });
});
