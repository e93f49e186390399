/**
 * Audit trail on both engines: every change writes an entry in its own transaction, entries form
 * a verifiable hash chain per tenant, tampering is detected, the API shows only the caller's
 * tenant, and CSV exports cannot smuggle spreadsheet formulas.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { recordAudit, SYSTEM_CONTEXT, verifyAuditChains } from '../src/platform/audit/audit.js';
import { csvCell } from '../src/platform/audit/csv.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { auditLog } from '../src/platform/db/schema.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { signIn, TEST_PASSWORD as PASSWORD, twoTenants } from './helpers/accounts.js';

describe.each(ENGINES)('audit trail on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let adminToken: string;

  beforeAll(async () => {
    if (!available) return;
    ({ handle, cleanup } = await engine.open());
    app = await buildApp(testConfig({ jwtSecret: 'audit-test-secret-audit-test-secret-0123' }), {
      database: handle,
    });
    ({ tenantA } = await twoTenants(app, 'line-a', 'line-b'));
    adminToken = await signIn(app, 'admin@a.test', { 'x-request-id': 'req-login-1' });
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await cleanup();
  });

  const auth = () => ({ authorization: `Bearer ${adminToken}` });

  it.skipIf(!available)('records who did what, where, with the request ID and IP', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...auth(), 'x-request-id': 'req-key-1' },
      payload: { name: 'printer', role: 'operator' },
      remoteAddress: '10.9.8.7',
    });
    expect(res.statusCode).toBe(201);
    const [entry] = await handle.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.requestId, 'req-key-1'));
    expect(entry).toMatchObject({
      tenantId: tenantA,
      actorType: 'user',
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: res.json<{ id: string }>().id,
      ip: '10.9.8.7',
    });
    expect(entry.summary).toEqual({
      name: 'printer',
      role: 'operator',
      prefix: expect.stringMatching(/^qrf_/) as unknown,
    });
    expect(JSON.stringify(entry)).not.toContain(res.json<{ key: string }>().key);
    const [login] = await handle.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.requestId, 'req-login-1'));
    expect(login).toMatchObject({ action: 'auth.login', chain: 'system' });
  });

  it.skipIf(!available)('writes nothing when the change rolls back', async () => {
    const before = (await handle.db.select().from(auditLog)).length;
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, SYSTEM_CONTEXT, {
          action: 'test.change',
          targetType: 'test',
          targetId: null,
          summary: {},
          tenantId: tenantA,
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await expect(app.accounts!.createTenant('line-a', 'Duplicate')).rejects.toThrow(/exists/);
    expect((await handle.db.select().from(auditLog)).length).toBe(before);
    expect((await verifyAuditChains(handle.db)).broken).toEqual([]);
  });

  it.skipIf(!available)('keeps the chain intact under concurrent changes', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        app.accounts!.createApiKey({ tenantId: tenantA, name: `bulk-${i}`, role: 'viewer' }),
      ),
    );
    const report = await verifyAuditChains(handle.db);
    expect(report.broken).toEqual([]);
    expect(report.entries).toBeGreaterThan(12);
  });

  it.skipIf(!available)('shows a tenant only its own entries, filtered and paginated', async () => {
    const page = await app.server.inject({
      url: '/api/v1/audit?action=api_key.create&limit=5',
      headers: auth(),
    });
    expect(page.statusCode).toBe(200);
    const body = page.json<{ entries: { id: number; action: string }[]; nextCursor: number }>();
    expect(body.entries).toHaveLength(5);
    expect(body.entries.every((e) => e.action === 'api_key.create')).toBe(true);
    const next = await app.server.inject({
      url: `/api/v1/audit?action=api_key.create&limit=5&cursor=${body.nextCursor}`,
      headers: auth(),
    });
    expect(next.json<{ entries: { id: number }[] }>().entries[0].id).toBeLessThan(
      body.entries[4].id,
    );
    const loginB = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@b.test', password: PASSWORD },
    });
    const asB = await app.server.inject({
      url: '/api/v1/audit?limit=1000',
      headers: { authorization: `Bearer ${loginB.json<{ accessToken: string }>().accessToken}` },
    });
    const bEntries = asB.json<{ entries: { summary: { name?: string } }[] }>().entries;
    expect(bEntries.some((e) => e.summary.name?.startsWith('bulk-'))).toBe(false);
  });

  it.skipIf(!available)('exports CSV with formula cells neutralised', async () => {
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: auth(),
      payload: { name: '=HYPERLINK("http://x")', role: 'viewer' },
    });
    const res = await app.server.inject({
      url: '/api/v1/audit?format=csv&action=api_key.create',
      headers: auth(),
    });
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body.split('\r\n')[0]).toBe(
      '"id","time","actorType","actorId","action","targetType","targetId","summary","requestId","ip","hash"',
    );
    expect(res.body).not.toMatch(/(^|,)"=/m);
    expect(csvCell('=1+2')).toBe(`"'=1+2"`);
    expect(csvCell('-5')).toBe(`"'-5"`);
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it.skipIf(!available)(
    'detects an edited entry, a removed entry and a truncated chain',
    async () => {
      expect((await verifyAuditChains(handle.db)).broken).toEqual([]);
      const rows = await handle.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.chain, tenantA))
        .orderBy(auditLog.id);
      const [first, second, third] = rows;
      await handle.db
        .update(auditLog)
        .set({ summary: { name: 'edited' } })
        .where(eq(auditLog.id, second.id));
      expect((await verifyAuditChains(handle.db)).broken).toContainEqual({
        id: second.id,
        chain: tenantA,
        reason: 'its content was changed',
      });
      await handle.db.delete(auditLog).where(eq(auditLog.id, first.id));
      expect((await verifyAuditChains(handle.db)).broken.map((b) => b.reason)).toContain(
        'does not follow the previous entry (one was removed or inserted)',
      );
      await handle.db.execute(
        sql`delete from audit_log where chain = ${tenantA} and id > ${third.id}`,
      );
      expect((await verifyAuditChains(handle.db)).broken.map((b) => b.reason)).toContain(
        'the chain ends before its recorded head (entries removed at the end)',
      );
    },
  );
});
