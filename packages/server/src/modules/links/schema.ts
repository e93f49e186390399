/**
 * Links: dynamic codes (a short URL of ours whose target the owner can change after printing) and
 * the scan events of every resolution of a dynamic code or public item page.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  integer,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from '../../platform/db/schema.js';
import { items } from '../inventory/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const dynamicCodes = pgTable(
  'dynamic_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The short, unguessable part of `/q/<slug>`; unique over all tenants. */
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /** The fallback target: where a scan goes when no rule matches. */
    target: text('target').notNull(),
    /** Routing rules, first match wins: `{ device?, language?, hours?, days?, target }`. */
    rules: jsonb('rules')
      .notNull()
      .default(sql`'[]'::jsonb`),
    validFrom: at('valid_from'),
    validUntil: at('valid_until'),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: text('created_by').notNull(),
    /**
     * The address the code was printed with (`<baseUrl>/q/<slug>`): the tenant's own domain or
     * prefix when it had one, else the server's public URL. Null for codes made before.
     */
    baseUrl: text('base_url'),
    /** The batch and row that made the code: a batch job run twice makes each code once. */
    batchId: uuid('batch_id'),
    batchRow: integer('batch_row'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('dynamic_codes_slug').on(t.slug),
    index('dynamic_codes_tenant_created').on(t.tenantId, t.createdAt),
    uniqueIndex('dynamic_codes_batch_row').on(t.batchId, t.batchRow),
  ],
);

export const SCAN_RESULTS = [
  'redirected',
  'shown',
  'disabled',
  'expired',
  'not-yet',
  'not-found',
  'forged',
] as const;
export const DEVICE_CLASSES = ['mobile', 'tablet', 'desktop', 'bot', 'other'] as const;

/**
 * One resolution of a dynamic code or an item page. No IP in clear: a salted hash. No foreign
 * keys, on purpose: scans are written thousands a second, and the two key checks were a third of
 * each insert's cost (PGlite, 250 rows: 10.4 ms with them, 6.9 ms without); a scan outlives its
 * code the way a log line does.
 */
export const linkScans = pgTable(
  'link_scans',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    at: at('at').notNull(),
    /** The dynamic code, or null for an item page. */
    codeId: uuid('code_id'),
    itemUid: text('item_uid'),
    lot: text('lot'),
    result: text('result', { enum: SCAN_RESULTS }).notNull(),
    /** Where the scan was sent (dynamic codes). */
    target: text('target'),
    device: text('device', { enum: DEVICE_CLASSES }).notNull(),
    browser: text('browser'),
    os: text('os'),
    language: text('language'),
    /** The referrer's host only. */
    referrer: text('referrer'),
    /** ISO 3166 alpha-2, only with a local GeoIP database. */
    country: text('country'),
    /** HMAC of the IP with a salt that changes every day: counts visitors, never names them. */
    visitor: text('visitor').notNull(),
    bot: boolean('bot').notNull(),
  },
  (t) => [
    index('link_scans_tenant_at').on(t.tenantId, t.at),
    index('link_scans_code_at').on(t.codeId, t.at),
    index('link_scans_tenant_item').on(t.tenantId, t.itemUid, t.at),
    index('link_scans_tenant_lot').on(t.tenantId, t.lot, t.at),
  ],
);

/** What a tenant's public item pages show, and who they say made the part. */
export const PUBLIC_FIELDS = ['type', 'manufacturingDate', 'warranty', 'lot', 'serial'] as const;
export const publicPages = pgTable('public_pages', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  fields: jsonb('fields')
    .notNull()
    .default(sql`'["type","manufacturingDate","warranty"]'::jsonb`),
  brandName: text('brand_name'),
  contactEmail: text('contact_email'),
  contactUrl: text('contact_url'),
  /** Owners may register their part's warranty from the page. */
  warrantyRegistration: boolean('warranty_registration').notNull().default(true),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** A lot (or a serial range of it) recalled, with the message every affected page shows. */
export const recalls = pgTable(
  'recalls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    lot: text('lot').notNull(),
    /** Only items of this component type (a lot number may be shared by types). */
    typeCode: text('type_code'),
    serialFrom: integer('serial_from'),
    serialTo: integer('serial_to'),
    message: text('message').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    closedAt: at('closed_at'),
  },
  (t) => [index('recalls_tenant_lot').on(t.tenantId, t.lot)],
);

/** An owner's warranty registration from the public page: one per item. */
export const warrantyRegistrations = pgTable(
  'warranty_registrations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    purchaseDate: date('purchase_date', { mode: 'string' }).notNull(),
    registeredAt: at('registered_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('warranty_registrations_item').on(t.itemId)],
);
