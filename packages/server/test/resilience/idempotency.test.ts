/**
 * Idempotent writes: a POST retried with the same Idempotency-Key gets the first answer again and
 * writes nothing; concurrent copies make one write; the key with another body is refused; keys are
 * per tenant. Without a key, two POSTs are two writes (the control that shows the test can fail).
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { items } from '../../src/modules/inventory/schema.js';
import { dynamicCodes } from '../../src/modules/links/schema.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { ENGINES } from '../helpers/engines.js';
import { figure } from './figure.js';

describe.each(ENGINES)('Idempotency-Key ($engine)', (setup) => {
  const { engine, available } = setup;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let tenantB: string;
  let authA: Record<string, string>;
  let authB: Record<string, string>;

  const codesOf = async (tenant: string) =>
    (
      await handle.db
        .select({ n: count() })
        .from(dynamicCodes)
        .where(eq(dynamicCodes.tenantId, tenant))
    )[0].n;
  const itemsOf = async (tenant: string) =>
    (await handle.db.select({ n: count() }).from(items).where(eq(items.tenantId, tenant)))[0].n;
  const makeCode = (auth: Record<string, string>, key: string | undefined, target: string) =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/links/codes',
      headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) },
      payload: { name: 'retry', target },
    });

  beforeAll(async () => {
    if (!available) return;
    const opened = await setup.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({ dataDir: opened.dataDir, jwtSecret: 'idempotency-secret-0123456789-abcdef' }),
      { database: handle },
    );
    ({ tenantA, tenantB } = await twoTenants(app));
    authA = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    authB = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await cleanup();
  });

  it.skipIf(!available)(
    'replays the first answer, writes once, refuses the key with another body',
    async () => {
      // The control: without a key, a retry is a second code.
      const before = await codesOf(tenantA);
      await makeCode(authA, undefined, 'https://example.com/a');
      await makeCode(authA, undefined, 'https://example.com/a');
      expect(await codesOf(tenantA)).toBe(before + 2);

      const first = await makeCode(authA, 'order-7781-code', 'https://example.com/b');
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retries = await Promise.all(
        [1, 2, 3].map(() => makeCode(authA, 'order-7781-code', 'https://example.com/b')),
      );
      for (const retry of retries) {
        expect(retry.statusCode).toBe(201);
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(retry.headers['content-type']).toBe(first.headers['content-type']);
        expect(retry.body).toBe(first.body);
      }
      expect(await codesOf(tenantA)).toBe(before + 3);

      const reused = await makeCode(authA, 'order-7781-code', 'https://example.com/other');
      expect(reused.statusCode).toBe(422);
      expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_ERR_KEY_REUSED' });
      expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await codesOf(tenantA)).toBe(before + 3);

      // Another tenant's key of the same name is its own request.
      const otherTenant = await makeCode(authB, 'order-7781-code', 'https://example.com/b');
      expect(otherTenant.statusCode).toBe(201);
      expect(otherTenant.json<{ id: string }>().id).not.toBe(first.json<{ id: string }>().id);
      expect(await codesOf(tenantB)).toBe(1);

      const badKey = await makeCode(authA, 'x'.repeat(256), 'https://example.com/b');
      expect(badKey.statusCode).toBe(400);
      expect(badKey.json()).toMatchObject({ errors: [{ field: 'header.idempotency-key' }] });

      // Ten copies at once (a client retrying on a timeout): one lot of 5 items is made.
      const generate = () =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/inventory/generate',
          headers: { ...authA, 'idempotency-key': 'lot-L7-first-run' },
          payload: {
            componentType: 'PAD',
            vendorCode: 'V0100',
            lotNumber: 'L7',
            manufacturingDate: '2026-01-01',
            count: 5,
          },
        });
      const itemsBefore = await itemsOf(tenantA);
      const copies = await Promise.all(Array.from({ length: 10 }, generate));
      const made = copies.filter((c) => c.statusCode === 201 && !c.headers['idempotent-replayed']);
      const replayed = copies.filter((c) => c.headers['idempotent-replayed'] === 'true');
      const busy = copies.filter((c) => c.statusCode === 409);
      expect(made).toHaveLength(1);
      expect(replayed.length + busy.length).toBe(9);
      for (const r of replayed) expect(r.body).toBe(made[0].body);
      for (const b of busy) {
        expect(b.json()).toMatchObject({ code: 'IDEMPOTENCY_ERR_IN_PROGRESS' });
        expect(b.headers['retry-after']).toBe('1');
      }
      expect(await itemsOf(tenantA)).toBe(itemsBefore + 5);
      const late = await generate();
      expect(late.headers['idempotent-replayed']).toBe('true');
      expect(await itemsOf(tenantA)).toBe(itemsBefore + 5);

      figure(
        'Idempotent writes',
        `${engine}: retry with Idempotency-Key -> first answer replayed (3 of 3 byte-equal), 1 write; 10 concurrent copies -> 1 lot of 5 items (${replayed.length} replayed, ${busy.length} x 409 + Retry-After); same key, other body -> 422; per tenant; control without a key -> 2 writes`,
      );
    },
  );
});
