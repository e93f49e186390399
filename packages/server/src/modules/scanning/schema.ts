/**
 * Scan sessions: an operator's round of scanning (receiving a lot, packing a shipment), the items
 * it expects, and every scan with its classification.
 */
import {
  bigserial,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from '../../platform/db/schema.js';
import { items } from '../inventory/schema.js';
import { ITEM_STATUSES } from '../inventory/lifecycle.js';

export const SCAN_RESULTS = [
  'ok',
  'unknown',
  'duplicate',
  'unexpected',
  'wrong-status',
  'invalid-id',
] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];

export const SCAN_SOURCES = ['camera', 'image', 'wedge', 'api'] as const;

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const scanSessions = pgTable(
  'scan_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Who opened it: `user:<id>` or `api-key:<id>`. */
    operator: text('operator').notNull(),
    /** The expected set as asked for (kind lot, range, list, shipment), or null: anything goes. */
    expected: jsonb('expected'),
    /** The status every `ok` item moves to when the session closes, if any. */
    targetStatus: text('target_status', { enum: ITEM_STATUSES }),
    status: text('status', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
    createdAt: at('created_at').notNull().defaultNow(),
    closedAt: at('closed_at'),
    /** The summary at closing, and how many items moved. */
    closing: jsonb('closing'),
  },
  (t) => [index('scan_sessions_tenant_created').on(t.tenantId, t.createdAt)],
);

/** The expected set, resolved to items when the session opens. */
export const scanSessionItems = pgTable(
  'scan_session_items',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => scanSessions.id, { onDelete: 'cascade' }),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.itemId] })],
);

export const scans = pgTable(
  'scans',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => scanSessions.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The client's own ID for the scan: sending it again returns the first answer. */
    clientId: text('client_id').notNull(),
    /** What the code said, as read. */
    text: text('text').notNull(),
    uid: text('uid'),
    itemId: uuid('item_id').references(() => items.id, { onDelete: 'set null' }),
    result: text('result', { enum: SCAN_RESULTS }).notNull(),
    detail: text('detail'),
    source: text('source', { enum: SCAN_SOURCES }).notNull(),
    /** When the client read it (a phone offline sends it later). */
    scannedAt: at('scanned_at').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('scans_session_client').on(t.sessionId, t.clientId),
    index('scans_session_item').on(t.sessionId, t.itemId),
  ],
);
