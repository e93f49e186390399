/**
 * First-run setup on both engines: while nobody can sign in, the web page may create the admin —
 * only from the server machine itself, exactly once even when two requests race, and the result
 * is signed in and audited.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { auditLog } from '../src/platform/db/schema.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

const PASSWORD = 'correct horse battery staple';

describe.each(ENGINES)('first-run setup on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;

  const status = (remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
    app.server.inject({ url: '/api/v1/setup', remoteAddress, headers });
  const setUp = (
    email: string,
    remoteAddress = '127.0.0.1',
    headers: Record<string, string> = {},
    password = PASSWORD,
  ) =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { email, password, organisation: 'Line 3 Parts' },
      remoteAddress,
      headers,
    });

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(testConfig({ dataDir: opened.dataDir }), { database: handle });
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await cleanup();
  });

  it.skipIf(!available)(
    'is offered while nobody can sign in, to callers on this machine only',
    async () => {
      expect((await status()).json()).toEqual({ needed: true, allowed: true });
      expect((await status('::1')).json()).toEqual({ needed: true, allowed: true });
      expect((await status('203.0.113.7')).json()).toEqual({ needed: true, allowed: false });
      // A proxy on this machine makes every caller look local: forwarded requests are not.
      expect((await status('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).json()).toEqual({
        needed: true,
        allowed: false,
      });

      const remote = await setUp('intruder@example.com', '203.0.113.7');
      expect(remote.statusCode).toBe(403);
      expect(remote.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(remote.json<{ detail: string }>().detail).toMatch(/QRFORGE_ADMIN_PASSWORD/);
      const proxied = await setUp('intruder@example.com', '127.0.0.1', { forwarded: 'for=x' });
      expect(proxied.statusCode).toBe(403);
      const weak = await setUp('admin@example.com', '127.0.0.1', {}, 'password');
      expect(weak.statusCode).toBe(422);
      expect((await status()).json()).toMatchObject({ needed: true });
    },
  );

  it.skipIf(!available)(
    'creates exactly one admin when two setups race, signed in and audited',
    async () => {
      const [first, second] = await Promise.all([
        setUp('first@example.com'),
        setUp('second@example.com'),
      ]);
      const codes = [first.statusCode, second.statusCode].sort();
      expect(codes).toEqual([200, 409]);
      const winner = first.statusCode === 200 ? first : second;
      const loser = first.statusCode === 200 ? second : first;
      expect(loser.json<{ detail: string }>().detail).toMatch(/set up already/);

      const me = await app.server.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${winner.json<{ accessToken: string }>().accessToken}` },
      });
      expect(me.json()).toMatchObject({
        tenants: [{ slug: 'default', name: 'Line 3 Parts', role: 'admin' }],
      });
      expect((await status()).json()).toEqual({ needed: false, allowed: true });
      expect((await setUp('third@example.com')).statusCode).toBe(409);

      const entries = await handle.db.select().from(auditLog);
      expect(entries.filter((e) => e.action === 'setup.admin')).toHaveLength(1);
    },
  );

  // PGlite has one connection, so only PostgreSQL can hold the lock from elsewhere.
  if (engine.engine === 'postgres')
    it.skipIf(!available)('once set up, answers 409 at once: no hashing, no lock', async () => {
      let released = 0;
      const holder = handle.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${0x51524653})`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        released = Date.now();
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const answer = await setUp('late@example.com');
      const answered = Date.now();
      await holder;
      expect(answer.statusCode).toBe(409);
      expect(released).toBeGreaterThan(0);
      // Answered while the lock was still held: the check came before the transaction.
      expect(answered).toBeLessThan(released);
      // And before the password is even looked at (so before it is hashed).
      expect((await setUp('late@example.com', '127.0.0.1', {}, 'password')).statusCode).toBe(409);
    });
});
