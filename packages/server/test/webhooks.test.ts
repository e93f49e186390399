/**
 * Webhooks on both engines, against a real receiver on loopback: domain events of the inventory
 * (items created, status changes, low stock) arrive signed as Standard Webhooks says (verified
 * with the `standardwebhooks` package, as a receiver would), filters apply, failures are retried
 * with back-off and logged, a delivery that exhausts its attempts is marked failed and can be sent
 * again; endpoints are admin-only and tenant-scoped.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeRenderPool } from '../src/modules/generate/batch/pool.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Envelope {
  id: string;
  type: string;
  subject: string | null;
  tenantId: string;
  data: Record<string, unknown>;
}

/** An HTTP receiver that records what it gets; `failNext` answers 500 to the next n requests. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { failNext: 0, alwaysFail: new Set<string>() };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const path = request.url ?? '/';
      if (state.alwaysFail.has(path) || state.failNext > 0) {
        if (!state.alwaysFail.has(path)) state.failNext--;
        response.writeHead(500).end('receiver is down for maintenance');
        return;
      }
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, received, state, server };
}

describe.each(ENGINES)('webhooks on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tenantA: string;
  const auth = { a: {} as Record<string, string>, b: {} as Record<string, string> };
  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.server.inject({ method, url, payload: payload as object, headers: auth.a });
  /** Runs the relay until nothing is due (retries become due after their short back-off). */
  const relay = async (passes = 1) => {
    for (let i = 0; i < passes; i++) {
      await app.relay!.runOnce();
      if (i < passes - 1) await new Promise((r) => setTimeout(r, 120));
    }
  };
  const events = (path: string) =>
    receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Envelope);

  beforeAll(async () => {
    if (!available) return;
    receiver = await startReceiver();
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'webhooks-secret-webhooks-secret-0123',
        webhookAllowPrivate: true,
        webhookRetryMs: 20,
        webhookMaxAttempts: 3,
        webhookTimeoutMs: 2000,
      }),
      { database: handle },
    );
    ({ tenantA } = await twoTenants(app));
    auth.a = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    auth.b = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeRenderPool();
    await cleanup();
    receiver.server.close();
  });

  it.skipIf(!available)(
    'inventory events arrive signed, verifiable with the Standard Webhooks library',
    async () => {
      const created = await inject('POST', '/api/v1/webhooks', {
        url: `${receiver.url}/all`,
        description: 'ERP',
      });
      expect(created.statusCode).toBe(201);
      const { id, secret } = created.json<{ id: string; secret: string }>();
      expect(secret).toMatch(/^whsec_/);
      // The secret is shown once: never in later reads.
      expect((await inject('GET', `/api/v1/webhooks/${id}`)).body).not.toContain(secret);

      const made = await inject('POST', '/api/v1/inventory/generate', {
        componentType: 'HOOK',
        vendorCode: 'V1',
        lotNumber: 'L1',
        manufacturingDate: '2026-01-02',
        count: 3,
      });
      expect(made.statusCode).toBe(201);
      const { items } = made.json<{ items: { uid: string }[] }>();
      const moved = await inject('POST', '/api/v1/inventory/items/status', {
        uids: items.map((i) => i.uid),
        status: 'engraved',
      });
      expect(moved.statusCode).toBe(200);
      await relay();

      const verifier = new Webhook(secret);
      const all = receiver.received.filter((r) => r.path === '/all');
      expect(all).toHaveLength(4);
      for (const r of all) {
        const headers = {
          'webhook-id': String(r.headers['webhook-id']),
          'webhook-timestamp': String(r.headers['webhook-timestamp']),
          'webhook-signature': String(r.headers['webhook-signature']),
        };
        expect(() => verifier.verify(r.body, headers)).not.toThrow();
        expect(headers['webhook-id']).toBe((JSON.parse(r.body) as Envelope).id);
        // A changed body fails verification.
        expect(() => verifier.verify(r.body.replace('HOOK', 'HACK'), headers)).toThrow();
      }
      const got = events('/all');
      const createdEvent = got.find((e) => e.type === 'items.created')!;
      expect(createdEvent).toMatchObject({
        tenantId: tenantA,
        data: { type: 'HOOK', count: 3, firstUid: items[0].uid, lastUid: items[2].uid },
      });
      const statusEvents = got.filter((e) => e.type === 'item.status.engraved');
      expect(statusEvents.map((e) => e.subject).sort()).toEqual(items.map((i) => i.uid).sort());
      expect(statusEvents[0].data).toMatchObject({ from: 'generated', to: 'engraved' });

      // The delivery log shows each one delivered on the first attempt.
      const log = await inject('GET', `/api/v1/webhooks/${id}/deliveries`);
      const deliveries = log.json<{
        deliveries: { status: string; attempts: number; responseStatus: number }[];
      }>().deliveries;
      expect(deliveries).toHaveLength(4);
      expect(deliveries.every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
      expect(deliveries[0].responseStatus).toBe(204);
      // A second pass sends nothing again.
      await relay();
      expect(receiver.received.filter((r) => r.path === '/all')).toHaveLength(4);
      await inject('PATCH', `/api/v1/webhooks/${id}`, { enabled: false });
    },
  );

  it.skipIf(!available)('an endpoint gets only the event types it asked for', async () => {
    const res = await inject('POST', '/api/v1/webhooks', {
      url: `${receiver.url}/shipped`,
      eventTypes: ['item.status.shipped', 'inventory.*'],
    });
    expect(res.statusCode).toBe(201);
    const made = await inject('POST', '/api/v1/inventory/generate', {
      componentType: 'FLT',
      vendorCode: 'V1',
      lotNumber: 'L1',
      manufacturingDate: '2026-01-02',
      count: 1,
    });
    const uid = made.json<{ items: { uid: string }[] }>().items[0].uid;
    for (const status of ['engraved', 'verified', 'available', 'reserved', 'shipped'])
      expect(
        (await inject('POST', `/api/v1/inventory/items/${uid}/status`, { status })).statusCode,
      ).toBe(200);
    // A minimum above the stock opens a low-stock alert: an inventory.low_stock event.
    expect((await inject('PATCH', '/api/v1/inventory/types/FLT', { minStock: 2 })).statusCode).toBe(
      200,
    );
    await relay();
    expect(events('/shipped').map((e) => e.type)).toEqual([
      'item.status.shipped',
      'inventory.low_stock',
    ]);
    expect(events('/shipped')[1].data).toMatchObject({ type: 'FLT', available: 0, minimum: 2 });
    // An unknown type in the filter is refused, naming it.
    const bad = await inject('POST', '/api/v1/webhooks', {
      url: `${receiver.url}/x`,
      eventTypes: ['item.stauts.shipped'],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'WEBHOOK_ERR_EVENT_TYPE' });
    expect(bad.json<{ detail: string }>().detail).toContain('item.stauts.shipped');
  });

  it.skipIf(!available)(
    'a failing receiver is retried with back-off; after the last attempt the delivery is failed and can be sent again',
    async () => {
      const flaky = await inject('POST', '/api/v1/webhooks', {
        url: `${receiver.url}/flaky`,
        eventTypes: ['webhook.test'],
      });
      const flakyId = flaky.json<{ id: string }>().id;
      receiver.state.failNext = 2;
      expect((await inject('POST', `/api/v1/webhooks/${flakyId}/test`)).statusCode).toBe(202);
      await relay(6);
      expect(events('/flaky').map((e) => e.type)).toEqual(['webhook.test']);
      const [delivery] = (await inject('GET', `/api/v1/webhooks/${flakyId}/deliveries`)).json<{
        deliveries: { status: string; attempts: number }[];
      }>().deliveries;
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3 });

      const down = await inject('POST', '/api/v1/webhooks', { url: `${receiver.url}/down` });
      const downId = down.json<{ id: string }>().id;
      receiver.state.alwaysFail.add('/down');
      await inject('POST', `/api/v1/webhooks/${downId}/test`);
      await relay(6);
      const failed = (await inject('GET', `/api/v1/webhooks/${downId}/deliveries`)).json<{
        deliveries: { id: string; status: string; attempts: number; lastError: string }[];
      }>().deliveries[0];
      expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
      expect(failed.lastError).toBe('HTTP 500: receiver is down for maintenance');

      receiver.state.alwaysFail.clear();
      const again = await inject('POST', `/api/v1/webhooks/deliveries/${failed.id}/retry`);
      expect(again.statusCode).toBe(202);
      await relay();
      expect(events('/down').map((e) => e.type)).toEqual(['webhook.test']);
      const after = (await inject('GET', `/api/v1/webhooks/${downId}/deliveries`)).json<{
        deliveries: { status: string; attempts: number }[];
      }>().deliveries[0];
      expect(after).toMatchObject({ status: 'succeeded', attempts: 1 });
    },
  );

  it.skipIf(!available)(
    'a receiver that does not answer in time fails the attempt, and the relay goes on',
    async () => {
      const silent = createServer(() => undefined); // takes the request, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as { port: number }).port;
      const res = await inject('POST', '/api/v1/webhooks', {
        url: `http://127.0.0.1:${port}/hang`,
        eventTypes: ['webhook.test'],
      });
      const id = res.json<{ id: string }>().id;
      await inject('POST', `/api/v1/webhooks/${id}/test`);
      const started = Date.now();
      await relay();
      expect(Date.now() - started).toBeLessThan(4000);
      const [delivery] = (await inject('GET', `/api/v1/webhooks/${id}/deliveries`)).json<{
        deliveries: { status: string; lastError: string }[];
      }>().deliveries;
      expect(delivery).toMatchObject({ status: 'pending', lastError: 'No answer within 2000 ms' });
      silent.closeAllConnections();
      silent.close();
      await inject('DELETE', `/api/v1/webhooks/${id}`);
    },
  );

  it.skipIf(!available)(
    'endpoints are admin-only, tenant-scoped, bounded, and their URLs checked',
    async () => {
      const list = await inject('GET', '/api/v1/webhooks');
      const [first] = list.json<{ webhooks: { id: string }[] }>().webhooks;
      // Another tenant's admin sees none of ours and cannot touch them.
      const asB = (method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
        app.server.inject({ method, url, payload, headers: auth.b });
      expect((await asB('GET', '/api/v1/webhooks')).json()).toEqual({ webhooks: [] });
      expect((await asB('GET', `/api/v1/webhooks/${first.id}`)).statusCode).toBe(404);
      expect(
        (await asB('PATCH', `/api/v1/webhooks/${first.id}`, { enabled: true })).statusCode,
      ).toBe(404);
      expect((await asB('GET', `/api/v1/webhooks/${first.id}/deliveries`)).statusCode).toBe(404);
      expect((await asB('DELETE', `/api/v1/webhooks/${first.id}`)).statusCode).toBe(404);
      // An operator may not manage webhooks.
      const { key } = await app.accounts!.createApiKey({
        tenantId: tenantA,
        name: 'op',
        role: 'operator',
      });
      const asOperator = await app.server.inject({
        url: '/api/v1/webhooks',
        headers: { 'x-api-key': key },
      });
      expect(asOperator.statusCode).toBe(403);
      // URLs: http(s) only, no credentials.
      for (const url of ['ftp://example.com/x', 'http://user:pw@example.com/', 'not a url']) {
        const res = await inject('POST', '/api/v1/webhooks', { url });
        expect(res.statusCode, url).toBe(422);
        expect(res.json()).toMatchObject({ code: 'WEBHOOK_ERR_URL' });
      }
      // Recent events are listed for the tenant, newest first, filterable by pattern.
      const recent = await inject('GET', '/api/v1/events?type=item.status.*&limit=2');
      const page = recent.json<{ events: Envelope[]; nextCursor: number }>();
      expect(page.events).toHaveLength(2);
      expect(page.events.every((e) => e.type.startsWith('item.status.'))).toBe(true);
      expect(page.nextCursor).toBeGreaterThan(0);
      expect(
        (await app.server.inject({ url: '/api/v1/events', headers: auth.b })).json(),
      ).toMatchObject({ events: [] });
    },
  );
});
