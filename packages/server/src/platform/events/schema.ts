/**
 * Domain events and their outbound delivery. An event is written in the same transaction as the
 * change it reports (the transactional outbox), so an event exists exactly when its change
 * committed. Two relays work through the outbox: webhook fan-out (`fanned_out_at`) and the AMQP
 * publisher (`published_at`); each claims rows with SKIP LOCKED, so any number of processes may
 * run them.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from '../db/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Dotted and routable: `item.status.shipped`, `items.created`, `inventory.low_stock`. */
    type: text('type').notNull(),
    /** What the event is about (an item UID, a lot ID, a type code), for filtering. */
    subject: text('subject'),
    data: jsonb('data').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
    fannedOutAt: at('fanned_out_at'),
    publishedAt: at('published_at'),
  },
  (t) => [
    index('domain_events_tenant_id').on(t.tenantId, t.id),
    index('domain_events_unfanned')
      .on(t.id)
      .where(sql`${t.fannedOutAt} is null`),
    index('domain_events_unpublished')
      .on(t.id)
      .where(sql`${t.publishedAt} is null`),
    index('domain_events_occurred').on(t.occurredAt),
  ],
);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event types or `prefix.*` patterns; empty means every event. */
    eventTypes: text('event_types')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The signing secret, sealed with a key derived from the server secret (AES-256-GCM). */
    secretSealed: text('secret_sealed').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_tenant').on(t.tenantId)],
);

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => domainEvents.id, { onDelete: 'cascade' }),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When a pending delivery is next tried (also the lease of the process trying it). */
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    lastAttemptAt: at('last_attempt_at'),
    responseStatus: integer('response_status'),
    responseMs: integer('response_ms'),
    /** The start of the receiver's answer, or why there was none. */
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_event').on(t.endpointId, t.eventId),
    index('webhook_deliveries_due')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_created').on(t.endpointId, t.createdAt),
    // Deleting expired events cascades to their deliveries through this index.
    index('webhook_deliveries_event').on(t.eventId),
  ],
);
