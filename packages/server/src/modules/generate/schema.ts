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

/**
 * Batches: an uploaded list of rows turned into many codes by a job. Output files (ZIP, label
 * sheet PDF, report CSV) live in object storage under the tenant's prefix.
 */
export const batches = pgTable(
  'batches',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The job making the outputs. No foreign key: the batch is recorded before the job is
     * enqueued, so a worker never picks up a job whose batch is not there yet. */
    jobId: uuid('job_id').notNull(),
    createdByUser: uuid('created_by_user').references(() => users.id, { onDelete: 'set null' }),
    createdByApiKey: uuid('created_by_api_key').references(() => apiKeys.id, {
      onDelete: 'set null',
    }),
    /** Original file name, or 'json' for a JSON list. */
    source: text('source').notNull(),
    inputKey: text('input_key').notNull(),
    rowCount: integer('row_count').notNull(),
    /** Filled when the job finishes. */
    okCount: integer('ok_count'),
    errorCount: integer('error_count'),
    /** Options: formats, style, column mapping, names, sheet layout. */
    options: jsonb('options').notNull(),
    /** Output objects by kind (zip, sheet, report): key, size, sha256. */
    outputs: jsonb('outputs'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('batches_tenant_created').on(t.tenantId, t.createdAt)],
);
