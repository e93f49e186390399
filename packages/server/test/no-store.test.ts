/**
 * Answers that carry a credential (tokens, an API key, a webhook secret) say
 * `Cache-Control: no-store`. Which operations is read from the published OpenAPI document's
 * response schemas, and every one of them is called here: a new route that returns a credential
 * fails this test until it is exercised (and it is covered by the server already).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { secretFields } from '../src/platform/http/no-store.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

let app: App;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const opened = await ENGINES[0].open();
  cleanup = opened.cleanup;
  app = await buildApp(
    testConfig({
      dataDir: opened.dataDir,
      webhookAllowPrivate: true,
      jwtSecret: 'no-store-test-secret-0123456789-abcdef',
    }),
    { database: opened.handle },
  );
});
afterAll(async () => {
  await app.server.close();
  await cleanup();
});

type Operation = { responses: Record<string, object> };

it('every answer that carries a token, key or secret is no-store', async () => {
  const document = JSON.parse(
    readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
  ) as { paths: Record<string, Record<string, Operation>> };
  const carrying = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) =>
        Object.entries(operation.responses).some(
          ([status, response]) => status.startsWith('2') && secretFields(response).length > 0,
        ),
      )
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );

  const seen = new Map<string, string | undefined>();
  const call = async (
    method: 'GET' | 'POST',
    url: string,
    template: string,
    payload?: object,
    auth?: string,
  ) => {
    const res = await app.server.inject({
      method,
      url,
      payload,
      remoteAddress: '127.0.0.1',
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
    });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    seen.set(`${method} ${template}`, res.headers['cache-control']);
    return res.json<Record<string, string>>();
  };

  const setup = await call('POST', '/api/v1/setup', '/api/v1/setup', {
    email: 'owner@example.com',
    password: 'correct horse battery staple',
    organisation: 'No Store Ltd',
  });
  const login = await call('POST', '/api/v1/auth/login', '/api/v1/auth/login', {
    email: 'owner@example.com',
    password: 'correct horse battery staple',
  });
  await call('POST', '/api/v1/auth/refresh', '/api/v1/auth/refresh', {
    refreshToken: login.refreshToken,
  });
  const token = setup.accessToken;
  await call('POST', '/api/v1/api-keys', '/api/v1/api-keys', { name: 'ci', role: 'viewer' }, token);
  const hook = await call(
    'POST',
    '/api/v1/webhooks',
    '/api/v1/webhooks',
    { url: 'http://127.0.0.1:9/hook' },
    token,
  );
  await call(
    'POST',
    `/api/v1/webhooks/${hook.id}/rotate-secret`,
    '/api/v1/webhooks/{id}/rotate-secret',
    undefined,
    token,
  );
  // Group keys, not credentials, but named alike: no-store costs them nothing.
  for (const url of ['/api/v1/inventory/analytics/counts?by=status', '/api/v1/links/analytics'])
    await call('GET', url, url.split('?')[0], undefined, token);

  expect([...seen.keys()].sort()).toEqual([...carrying].sort());
  for (const [operation, cacheControl] of seen)
    expect([operation, cacheControl]).toEqual([operation, 'no-store']);
  // Others keep theirs: a health check is not a secret.
  const health = await app.server.inject('/health');
  expect(health.headers['cache-control']).not.toBe('no-store');
});
