/**
 * The event relay: works through the outbox on a timer — webhook fan-out, due deliveries, AMQP
 * publishing, and deletion of events past their retention. It runs where jobs run (`qrforge serve`
 * on the embedded defaults, `qrforge worker` with Redis); several relays may run at once, since
 * every step claims its rows with SKIP LOCKED.
 */
import { lt, sql } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config.js';
import { SealedBox } from '../auth/sealed-box.js';
import type { Database } from '../db/database.js';
import { AmqpPublisher } from './amqp.js';
import { domainEvents, webhookDeliveries } from './schema.js';
import { deliverDue, fanOut, type DeliveryOptions } from './webhooks/delivery.js';

/** How an outbox step failure is reported (the relay keeps running). */
type Log = (message: string, error: unknown) => void;

const CLEANUP_EVERY_MS = 3600_000;

export function webhookSecrets(secret: Uint8Array): SealedBox {
  return new SealedBox(secret, 'webhook-secrets');
}

export function deliveryOptions(config: Config): DeliveryOptions {
  return {
    allowPrivate: config.webhookAllowPrivate,
    timeoutMs: config.webhookTimeoutMs,
    maxResponseBytes: 2048,
    maxAttempts: config.webhookMaxAttempts,
    firstRetryMs: config.webhookRetryMs,
  };
}

export class EventRelay {
  readonly amqp: AmqpPublisher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastCleanup = 0;
  private readonly deliveries: Counter<'result'> | undefined;

  constructor(
    private readonly db: Database,
    private readonly box: SealedBox,
    private readonly options: {
      delivery: DeliveryOptions;
      amqpUrl?: string;
      amqpExchange: string;
      retentionDays: number;
      registry?: Registry;
      log?: Log;
    },
  ) {
    if (options.amqpUrl) this.amqp = new AmqpPublisher(options.amqpUrl, options.amqpExchange);
    if (options.registry) {
      this.deliveries = new Counter({
        name: 'webhook_deliveries_total',
        help: 'Webhook delivery attempts by result (succeeded, retrying, failed).',
        labelNames: ['result'],
        registers: [options.registry],
      });
      outboxGauge(options.registry, db, Boolean(options.amqpUrl));
    }
  }

  static fromConfig(
    config: Config,
    db: Database,
    secret: Uint8Array,
    registry?: Registry,
    log?: Log,
  ): EventRelay {
    return new EventRelay(db, webhookSecrets(secret), {
      delivery: deliveryOptions(config),
      amqpUrl: config.amqpUrl,
      amqpExchange: config.amqpExchange,
      retentionDays: config.eventRetentionDays,
      registry,
      log,
    });
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.amqp?.close();
  }

  /** One pass over the outbox (a pass still running is joined, not doubled). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.step('webhook fan-out', async () => {
      while ((await fanOut(this.db)) > 0);
    });
    await this.step('webhook delivery', async () => {
      await deliverDue(this.db, this.box, this.options.delivery, 20, (result) =>
        this.deliveries?.inc({ result }),
      );
    });
    if (this.amqp)
      await this.step('AMQP publishing', async () => {
        while ((await this.amqp!.publishPending(this.db)) > 0);
      });
    if (Date.now() - this.lastCleanup > CLEANUP_EVERY_MS) {
      this.lastCleanup = Date.now();
      await this.step('event retention', () => this.cleanup());
    }
  }

  /** Deletes events (and their deliveries) older than the retention. */
  async cleanup(): Promise<void> {
    await this.db
      .delete(domainEvents)
      .where(
        lt(
          domainEvents.occurredAt,
          sql`now() - make_interval(days => ${this.options.retentionDays})`,
        ),
      );
  }

  private async step(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.log?.(`event relay: ${name} failed`, error);
    }
  }
}

/** `events_outbox_pending{sink}`: what is waiting, read at scrape time. */
function outboxGauge(registry: Registry, db: Database, amqp: boolean): void {
  new Gauge({
    name: 'events_outbox_pending',
    help: 'Domain events waiting: webhook deliveries pending, events not yet published to AMQP.',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      const [webhooks] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(webhookDeliveries)
        .where(sql`${webhookDeliveries.status} = 'pending'`);
      this.set({ sink: 'webhooks' }, webhooks.n);
      if (amqp) {
        const [unpublished] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(domainEvents)
          .where(sql`${domainEvents.publishedAt} is null`);
        this.set({ sink: 'amqp' }, unpublished.n);
      }
    },
  });
}
