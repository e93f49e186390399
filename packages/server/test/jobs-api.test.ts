/**
 * Job routes on the embedded queue: status, server-sent progress events, cancel (operator role,
 * audited), and 404 for another tenant's job.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { auditLog } from '../src/platform/db/schema.js';
import { EmbeddedQueue } from '../src/platform/queue/embedded.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

const PASSWORD = 'correct horse battery staple';

describe('job routes (embedded queue on PGlite)', () => {
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  const tokens: Record<string, string> = {};
  let release: () => void = () => undefined;

  beforeAll(async () => {
    ({ handle, cleanup } = await ENGINES[0].open());
    const queue = new EmbeddedQueue(handle.db, { pollMs: 20, leaseMs: 2000 });
    app = await buildApp(testConfig({ jwtSecret: 'jobs-test-secret-jobs-test-secret-012345' }), {
      database: handle,
      queue,
    });
    tenantA = (await app.accounts!.createTenant('a', 'A')).id;
    const tenantB = (await app.accounts!.createTenant('b', 'B')).id;
    for (const [email, tenantId, role] of [
      ['op@a.test', tenantA, 'operator'],
      ['viewer@a.test', tenantA, 'viewer'],
      ['op@b.test', tenantB, 'operator'],
    ] as const) {
      await app.accounts!.addUser({ email, password: PASSWORD, tenantId, role });
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: PASSWORD },
      });
      tokens[email] = res.json<{ accessToken: string }>().accessToken;
    }
    queue.start({
      'test.steps': async (_p, ctx) => {
        for (const p of [20, 60]) {
          await ctx.progress(p);
          await new Promise((r) => setTimeout(r, 120));
        }
        return { ok: true };
      },
      'test.wait': async (_p, ctx) => {
        await new Promise<void>((r) => {
          release = r;
          ctx.signal.addEventListener('abort', () => r());
        });
      },
    });
  });
  afterAll(async () => {
    release();
    await app.queue!.close(500);
    await app.server.close();
    await cleanup();
  });

  const as = (email: string) => ({ authorization: `Bearer ${tokens[email]}` });

  it('shows a job to its tenant and 404 to another', async () => {
    const job = await app.queue!.enqueue(tenantA, 'test.none', {});
    const own = await app.server.inject({
      url: `/api/v1/jobs/${job.id}`,
      headers: as('viewer@a.test'),
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: job.id, status: 'queued', progress: 0 });
    expect(
      (await app.server.inject({ url: `/api/v1/jobs/${job.id}`, headers: as('op@b.test') }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.server.inject({ url: `/api/v1/jobs/${job.id}/events`, headers: as('op@b.test') }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await app.server.inject({
          method: 'POST',
          url: `/api/v1/jobs/${job.id}/cancel`,
          headers: as('op@b.test'),
        })
      ).statusCode,
    ).toBe(404);
  });

  it('streams progress as server-sent events until the job finishes', async () => {
    const job = await app.queue!.enqueue(tenantA, 'test.steps', {});
    const res = await app.server.inject({
      url: `/api/v1/jobs/${job.id}/events`,
      headers: as('viewer@a.test'),
    });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = res.body
      .split('\n\n')
      .filter(Boolean)
      .map(
        (block) => JSON.parse(block.split('\ndata: ')[1]) as { status: string; progress: number },
      );
    expect(events.at(-1)).toMatchObject({ status: 'completed', progress: 100 });
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('cancels for operators (audited), not for viewers; a finished job answers 409', async () => {
    const job = await app.queue!.enqueue(tenantA, 'test.wait', {});
    while ((await app.queue!.get(tenantA, job.id))!.status !== 'running')
      await new Promise((r) => setTimeout(r, 20));
    expect(
      (
        await app.server.inject({
          method: 'POST',
          url: `/api/v1/jobs/${job.id}/cancel`,
          headers: as('viewer@a.test'),
        })
      ).statusCode,
    ).toBe(403);
    const res = await app.server.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job.id}/cancel`,
      headers: as('op@a.test'),
    });
    expect(res.statusCode).toBe(202);
    while ((await app.queue!.get(tenantA, job.id))!.status === 'running')
      await new Promise((r) => setTimeout(r, 20));
    expect((await app.queue!.get(tenantA, job.id))!.status).toBe('cancelled');
    const [entry] = await handle.db.select().from(auditLog).where(eq(auditLog.targetId, job.id));
    expect(entry).toMatchObject({ action: 'job.cancel', tenantId: tenantA, actorType: 'user' });
    const again = await app.server.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job.id}/cancel`,
      headers: as('op@a.test'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'JOB_ERR_FINISHED' });
  });

  // Last: it closes the server.
  it('ends open event streams when the server closes, so shutdown does not wait for them', async () => {
    const job = await app.queue!.enqueue(tenantA, 'test.none', {}); // never runs
    const address = await app.server.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/api/v1/jobs/${job.id}/events`, {
      headers: as('viewer@a.test'),
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value as Uint8Array)).toContain(
      '"status":"queued"',
    );
    const started = Date.now();
    await app.server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await reader.read()).done).toBe(true);
  });
});
