/**
 * With AMQP_URL set, every domain event is also published to a RabbitMQ topic exchange
 * (AMQP_EXCHANGE, durable), routing key = event type (`item.status.shipped`), persistent JSON
 * messages with `messageId` = the event ID. Events are claimed from the outbox in a transaction,
 * published on a confirm channel, and marked published only after the broker confirmed them:
 * at-least-once (a crash between confirm and commit publishes again; consumers drop repeats by
 * `messageId`). A consumer binds its own queue, e.g. `item.status.#` or `inventory.*`.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { envelope, eventId } from './events.js';
import { domainEvents } from './schema.js';

export interface AmqpStatus {
  connected: boolean;
  lastError: string | null;
}

export class AmqpPublisher {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private lastError: string | null = null;
  /** No reconnect attempt before this time (back-off after a failure: 1 s doubling to 30 s). */
  private retryAt = 0;
  private failures = 0;

  constructor(
    private readonly url: string,
    readonly exchange: string,
  ) {}

  status(): AmqpStatus {
    return { connected: Boolean(this.channel), lastError: this.lastError };
  }

  /** Publishes up to `limit` unpublished events; returns how many. Throws when the broker fails. */
  async publishPending(db: Database, limit = 500): Promise<number> {
    if (!this.channel && Date.now() < this.retryAt) return 0;
    try {
      const channel = await this.open();
      const published = await db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(domainEvents)
          .where(sql`${domainEvents.publishedAt} is null`)
          .orderBy(domainEvents.id)
          .limit(limit)
          .for('update', { skipLocked: true });
        if (!rows.length) return 0;
        for (const row of rows) {
          channel.publish(this.exchange, row.type, Buffer.from(JSON.stringify(envelope(row))), {
            persistent: true,
            contentType: 'application/json',
            messageId: eventId(row.id),
            timestamp: Math.floor(row.occurredAt.getTime() / 1000),
            type: row.type,
            headers: { 'x-tenant-id': row.tenantId },
          });
        }
        await channel.waitForConfirms();
        await tx
          .update(domainEvents)
          .set({ publishedAt: sql`now()` })
          .where(
            inArray(
              domainEvents.id,
              rows.map((r) => r.id),
            ),
          );
        return rows.length;
      });
      this.failures = 0;
      this.lastError = null;
      return published;
    } catch (error) {
      this.failures++;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.retryAt = Date.now() + Math.min(30_000, 1000 * 2 ** (this.failures - 1));
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async open(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const connection = await connect(this.url);
    // A dropped connection is noticed here and reopened on the next publish.
    const forget = () => {
      if (this.connection === connection) {
        this.connection = undefined;
        this.channel = undefined;
      }
    };
    connection.on('close', forget);
    connection.on('error', forget);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined); // the connection's close follows
      await channel.assertExchange(this.exchange, 'topic', { durable: true });
      this.connection = connection;
      this.channel = channel;
      return channel;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }
}
