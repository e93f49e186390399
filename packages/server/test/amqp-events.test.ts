/**
 * Domain events published to the local RabbitMQ from the outbox: a consumer bound to
 * `item.status.#` receives one persistent JSON message per status change, routing key
 * `item.status.<to>`, messageId = event ID; events are marked published only once confirmed, so
 * a broker outage delays them and loses none.
 */
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeRenderPool } from '../src/modules/generate/batch/pool.js';
import { domainEvents } from '../src/platform/events/schema.js';
import { isNull } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { FaultProxy } from './helpers/fault-proxy.js';
import { AMQP_URL, rabbitAvailable } from './helpers/rabbitmq.js';

const engine = ENGINES[0]; // the publisher's logic is engine-independent; PGlite is enough here
const broker = new URL(AMQP_URL);

describe('AMQP publishing', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let handle: DatabaseHandle;
  let proxy: FaultProxy;
  let consumer: ChannelModel;
  const exchange = `qrforge.test.${randomBytes(4).toString('hex')}`;
  const messages: ConsumeMessage[] = [];
  let auth: Record<string, string>;

  beforeAll(async () => {
    if (!rabbitAvailable) return;
    proxy = await FaultProxy.start(
      { host: broker.hostname, port: Number(broker.port || 5672) },
      { http: false },
    );
    const via = new URL(AMQP_URL);
    via.port = String(proxy.port);
    const opened = await engine.open();
    cleanup = opened.cleanup;
    handle = opened.handle;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'amqp-secret-amqp-secret-amqp-secret-0123',
        amqpUrl: via.toString(),
        amqpExchange: exchange,
      }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    // The consumer: a queue of its own bound to every status change (direct to the broker).
    consumer = await connect(AMQP_URL);
    const channel = await consumer.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, 'item.status.#');
    await channel.consume(queue, (m) => m && messages.push(m), { noAck: true });
  });
  afterAll(async () => {
    if (!rabbitAvailable) return;
    await app.server.close();
    await closeRenderPool();
    await cleanup();
    const channel = await consumer.createChannel();
    await channel.deleteExchange(exchange);
    await consumer.close();
    await proxy.close();
  });

  const waitFor = async (n: number) => {
    for (let i = 0; i < 100 && messages.length < n; i++)
      await new Promise((r) => setTimeout(r, 20));
  };
  /** A lot of `count` items, all moved to `status`: count + 1 events. */
  const makeAndMove = async (lotNumber: string, count: number, status: string) => {
    const made = await app.server.inject({
      method: 'POST',
      url: '/api/v1/inventory/generate',
      headers: auth,
      payload: {
        componentType: 'MQ',
        vendorCode: 'V1',
        lotNumber,
        manufacturingDate: '2026-02-01',
        count,
      },
    });
    const uids = made.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/inventory/items/status',
      headers: auth,
      payload: { uids, status },
    });
    return uids;
  };
  const unpublished = async () =>
    (await handle.db.select().from(domainEvents).where(isNull(domainEvents.publishedAt))).length;

  it.skipIf(!rabbitAvailable)(
    'status changes are published with routing keys item.status.<to>, confirmed, once',
    async () => {
      const uids = await makeAndMove('L1', 5, 'engraved');
      await app.relay!.runOnce();
      await waitFor(5);
      expect(messages).toHaveLength(5);
      const first = messages[0];
      expect(first.fields.routingKey).toBe('item.status.engraved');
      expect(first.properties).toMatchObject({
        contentType: 'application/json',
        deliveryMode: 2,
        type: 'item.status.engraved',
      });
      expect(first.properties.messageId).toMatch(/^evt_\d+$/);
      const bodies = messages.map((m) => JSON.parse(m.content.toString()) as { subject: string });
      expect(bodies.map((b) => b.subject).sort()).toEqual([...uids].sort());
      // items.created went to the exchange too, but this queue is bound to item.status.# only.
      expect(app.relay!.amqp!.status()).toEqual({ connected: true, lastError: null });
      expect(await unpublished()).toBe(0);
      await app.relay!.runOnce();
      await new Promise((r) => setTimeout(r, 100));
      expect(messages).toHaveLength(5);
    },
  );

  it.skipIf(!rabbitAvailable)(
    'while the broker is unreachable events wait in the outbox, then all are published',
    async () => {
      messages.length = 0;
      await proxy.set({ kind: 'refuse' });
      await makeAndMove('L2', 3, 'quarantined');
      await app.relay!.runOnce();
      expect(app.relay!.amqp!.status().connected).toBe(false);
      expect(app.relay!.amqp!.status().lastError).toBeTruthy();
      const ready = await app.server.inject({ url: '/ready' });
      expect(ready.body).toContain('amqp');
      expect(messages).toHaveLength(0);
      expect(await unpublished()).toBe(4); // items.created and three status changes

      await proxy.set({ kind: 'pass' });
      // The publisher backs off after a failure (1 s first); wait it out, then publish.
      await new Promise((r) => setTimeout(r, 1100));
      await app.relay!.runOnce();
      await waitFor(3);
      expect(messages.map((m) => m.fields.routingKey)).toEqual([
        'item.status.quarantined',
        'item.status.quarantined',
        'item.status.quarantined',
      ]);
      expect(app.relay!.amqp!.status()).toEqual({ connected: true, lastError: null });
      expect(await unpublished()).toBe(0);
    },
  );
});
