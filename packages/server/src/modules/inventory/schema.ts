/**
 * Inventory: the tenant's ID schema, component types, vendors, lots (which also hold the next
 * serial to issue), items, and each item's events (its timeline).
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from '../../platform/db/schema.js';
import { CODE_CONTENTS } from './code-content.js';
import { ITEM_STATUSES } from './lifecycle.js';

const createdAt = () =>
  timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** A tenant's ID template (absent: the default, `{type}-{vendor}-{lot}-{serial:5}`). */
export const idSchemas = pgTable('id_schemas', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  template: text('template').notNull(),
  alphabet: text('alphabet').notNull(),
  /** What new items' codes encode: uid, url or gs1 (see code-content.ts). */
  codeContent: text('code_content', { enum: CODE_CONTENTS }).notNull().default('uid'),
  codeBaseUrl: text('code_base_url'),
  /** URL contents carry a signature of the UID (item-signature.ts). */
  codeSigned: boolean('code_signed').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export const componentTypes = pgTable(
  'component_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Below this many `available` items, a low-stock alert is raised. */
    minStock: integer('min_stock').notNull().default(0),
    /** GS1 trade item number, for GS1 Digital Link code contents. */
    gtin: text('gtin'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('component_types_tenant_code').on(t.tenantId, t.code)],
);

export const vendors = pgTable(
  'vendors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('vendors_tenant_code').on(t.tenantId, t.code)],
);

/**
 * A lot: the items of one type from one vendor made together. `nextSerial` is the next serial to
 * issue: a reservation adds to it in one statement, so serials are never issued twice.
 */
export const lots = pgTable(
  'lots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    typeCode: text('type_code').notNull(),
    vendorCode: text('vendor_code').notNull(),
    lotNumber: text('lot_number').notNull(),
    manufacturingDate: date('manufacturing_date', { mode: 'string' }).notNull(),
    nextSerial: integer('next_serial').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lots_tenant_key').on(t.tenantId, t.typeCode, t.vendorCode, t.lotNumber)],
);

export const items = pgTable(
  'items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    uid: text('uid').notNull(),
    lotId: uuid('lot_id')
      .notNull()
      .references(() => lots.id, { onDelete: 'restrict' }),
    typeCode: text('type_code').notNull(),
    vendorCode: text('vendor_code').notNull(),
    lotNumber: text('lot_number').notNull(),
    serial: integer('serial').notNull(),
    manufacturingDate: date('manufacturing_date', { mode: 'string' }).notNull(),
    warrantyYears: integer('warranty_years').notNull().default(0),
    warrantyExpires: date('warranty_expires', { mode: 'string' }),
    status: text('status', { enum: ITEM_STATUSES }).notNull().default('generated'),
    location: text('location'),
    attributes: jsonb('attributes')
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** What the item's QR code encodes (the UID unless the tenant chose a URL form). */
    codeContent: text('code_content').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('items_tenant_uid').on(t.tenantId, t.uid),
    index('items_tenant_created').on(t.tenantId, t.createdAt, t.id),
    index('items_tenant_status').on(t.tenantId, t.status, t.createdAt),
    index('items_lot_serial').on(t.lotId, t.serial),
    index('items_tenant_type_status').on(t.tenantId, t.typeCode, t.status),
    index('items_tenant_warranty').on(t.tenantId, t.warrantyExpires),
    index('items_tenant_lot_uid').on(t.tenantId, t.lotNumber, t.uid),
  ],
);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * UID search's index (?q=, uid-search.ts): each item's UID tokens (split at - . /) as lexemes,
 * kept by a trigger on items (migration 0022). A table of its own, outside row-level security,
 * because PostgreSQL cannot use an index for a non-leakproof operator such as @@ on a table
 * under a policy: on items itself the search read every row of the tenant (230 ms instead of 2 ms
 * at 150,000 items). It holds no tenant and nothing but the tokens; the search joins back to
 * items by ID, where the tenant filter and the policy apply.
 */
export const itemUidTokens = pgTable(
  'item_uid_tokens',
  {
    itemId: uuid('item_id')
      .primaryKey()
      .references(() => items.id, { onDelete: 'cascade' }),
    tokens: tsvector('tokens').notNull(),
  },
  (t) => [
    index('item_uid_tokens_search').using('gin', t.tokens).with({ gin_pending_list_limit: 256 }),
  ],
);

/** Everything that happened to an item, newest last: its timeline. */
export const itemEvents = pgTable(
  'item_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    details: jsonb('details')
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index('item_events_item').on(t.itemId, t.at)],
);

/** Low-stock alerts: open while a type's `available` count is below its minimum. */
export const inventoryAlerts = pgTable(
  'inventory_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    typeCode: text('type_code').notNull(),
    kind: text('kind', { enum: ['low_stock'] }).notNull(),
    available: integer('available').notNull(),
    minimum: integer('minimum').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('inventory_alerts_tenant_opened').on(t.tenantId, t.openedAt),
    // At most one open alert of a kind per type.
    uniqueIndex('inventory_alerts_open')
      .on(t.tenantId, t.typeCode, t.kind)
      .where(sql`${t.resolvedAt} is null`),
  ],
);
