/**
 * Stored codes (history): what was encoded, how, where the file is, and who made it.
 */
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys, tenants, users } from '../../platform/db/schema.js';

export const codes = pgTable(
  'codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    createdByUser: uuid('created_by_user').references(() => users.id, { onDelete: 'set null' }),
    createdByApiKey: uuid('created_by_api_key').references(() => apiKeys.id, {
      onDelete: 'set null',
    }),
    /** Payload type (url, wifi, …) or 'raw' for plain data. */
    payloadType: text('payload_type').notNull(),
    /** The encoded text (anyone scanning the code reads it; needed to redraw thumbnails). */
    content: text('content').notNull(),
    /** Short human description for lists; secrets (Wi-Fi passwords) left out. */
    summary: text('summary').notNull(),
    format: text('format').notNull(),
    contentType: text('content_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    /** Style and layout options the file was drawn with. */
    options: jsonb('options').notNull(),
    /** Millisecond precision, as JavaScript dates: the list cursor compares them exactly. */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('codes_tenant_created').on(t.tenantId, t.createdAt)],
);
