/**
 * Every route that changes something, for every role, against the policy table below: a caller
 * below the route's role gets 403 before anything else happens (the guard runs before body
 * validation), one at or above it gets through, no credentials get 401. A route missing from the
 * table fails the test, so a new route must be given its role here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { signIn, TEST_PASSWORD, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { ENGINES } from '../helpers/engines.js';
import { figure } from './figure.js';

type Role = 'viewer' | 'operator' | 'admin';

/**
 * The least role of each route that changes something; `public`: no credentials needed (sign-in,
 * anonymous generation when allowed, the public warranty form). Reads are covered by the tenant
 * isolation matrix (tenant-isolation.test.ts).
 */
const POLICY: Record<string, Role | 'public'> = {
  'POST /api/v1/setup': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'public',
  'POST /api/v1/auth/password': 'viewer',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/{id}': 'admin',
  'POST /api/v1/api-keys': 'admin',
  'DELETE /api/v1/api-keys/{id}': 'admin',
  'POST /api/v1/jobs/{id}/cancel': 'operator',
  'POST /api/v1/webhooks': 'admin',
  'PATCH /api/v1/webhooks/{id}': 'admin',
  'DELETE /api/v1/webhooks/{id}': 'admin',
  'POST /api/v1/webhooks/{id}/rotate-secret': 'admin',
  'POST /api/v1/webhooks/{id}/test': 'admin',
  'POST /api/v1/webhooks/deliveries/{id}/retry': 'admin',
  'POST /api/v1/codes': 'public',
  'POST /generate': 'public',
  'POST /api/v1/codes/render-url': 'viewer',
  'DELETE /api/v1/codes/{id}': 'operator',
  'POST /api/v1/batches': 'operator',
  'POST /api/v1/inventory/generate': 'operator',
  'POST /qr/generate': 'operator',
  'POST /api/v1/inventory/import': 'operator',
  'POST /api/v1/inventory/items/{uid}/status': 'operator',
  'POST /api/v1/inventory/items/status': 'operator',
  'POST /api/v1/inventory/types': 'operator',
  'PATCH /api/v1/inventory/types/{code}': 'operator',
  'PUT /api/v1/inventory/id-schema': 'admin',
  'PUT /api/v1/inventory/code-content': 'admin',
  'POST /api/v1/inventory/ids/parse': 'viewer',
  'POST /api/v1/engraving/machines': 'admin',
  'PATCH /api/v1/engraving/machines/{id}': 'admin',
  'DELETE /api/v1/engraving/machines/{id}': 'admin',
  'POST /api/v1/engraving/machines/{id}/{action}': 'operator',
  'POST /api/v1/engraving/jobs': 'operator',
  'POST /engraving/jobs': 'operator',
  'POST /api/v1/engraving/jobs/{id}/{action}': 'operator',
  'POST /api/v1/scans/decode': 'viewer',
  'POST /api/v1/scans/sessions': 'operator',
  'POST /api/v1/scans/sessions/{id}/scans': 'operator',
  'POST /api/v1/scans/sessions/{id}/images': 'operator',
  'POST /api/v1/scans/sessions/{id}/close': 'operator',
  'POST /api/v1/links/codes': 'operator',
  'PATCH /api/v1/links/codes/{id}': 'operator',
  'POST /i/{uid}/warranty': 'public',
  'POST /{prefix}/i/{uid}/warranty': 'public',
  'PUT /api/v1/links/public-page': 'admin',
  'POST /api/v1/recalls': 'operator',
  'POST /api/v1/recalls/{id}/close': 'operator',
};

describe('RBAC: role x mutating route', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    const opened = await ENGINES[0].open();
    cleanup = opened.cleanup;
    app = await buildApp(testConfig({ dataDir: opened.dataDir, rateLimitMax: 100_000 }), {
      database: opened.handle,
    });
    const { tenantA } = await twoTenants(app);
    for (const role of ['viewer', 'operator'] as const)
      await app.accounts!.addUser({
        email: `${role}@a.test`,
        password: TEST_PASSWORD,
        tenantId: tenantA,
        role,
      });
    tokens.viewer = await signIn(app, 'viewer@a.test');
    tokens.operator = await signIn(app, 'operator@a.test');
    tokens.admin = await signIn(app, 'admin@a.test');
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
  });

  it('matches the policy table on every mutating route', async () => {
    const doc = (await app.server.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const found: Record<string, string> = {};
    for (const route of routes) {
      const [method, path] = route.split(' ') as ['POST', string];
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000');
      const as = async (who: Role | 'nobody') =>
        (
          await app.server.inject({
            method,
            url,
            headers: who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` },
          })
        ).statusCode;
      const anonymous = await as('nobody');
      if (anonymous !== 401) {
        found[route] = 'public';
        continue;
      }
      const viewer = await as('viewer');
      const operator = await as('operator');
      const admin = await as('admin');
      found[route] =
        viewer !== 403
          ? 'viewer'
          : operator !== 403
            ? 'operator'
            : admin !== 403
              ? 'admin'
              : 'none';
    }
    expect(found).toEqual(POLICY);
    const guarded = Object.values(POLICY).filter((r) => r !== 'public').length;
    const viewerRefused = Object.values(POLICY).filter(
      (r) => r === 'operator' || r === 'admin',
    ).length;
    figure(
      'RBAC',
      `${routes.length} mutating routes x 4 callers (none, viewer, operator, admin): 100 % match with the policy table; viewer writes -> 403 on ${viewerRefused} of ${viewerRefused}; no credentials -> 401 on ${guarded} of ${guarded} guarded routes; the guard answers before body validation`,
    );
  });
});
