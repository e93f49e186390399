/**
 * Database schema (Drizzle), one schema for PGlite and PostgreSQL. Migrations in ../../../drizzle
 * are generated from it with `npm run db:generate` (drizzle-kit); a test fails when they are stale.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** A tenant is a production line: every record below belongs to exactly one. */
export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stored lower-cased; unique. */
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A user's role in one tenant. */
export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.tenantId] }),
    check('memberships_role', sql`${t.role} in ('admin', 'operator', 'viewer')`),
  ],
);

/**
 * Refresh tokens, stored as SHA-256 hashes. Each login starts a family; every refresh replaces the
 * token with a new one of the same family. Presenting a replaced token again means it was stolen:
 * the whole family is revoked.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when this token was exchanged for the next one. */
    replacedAt: timestamp('replaced_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('refresh_tokens_family').on(t.familyId), index('refresh_tokens_user').on(t.userId)],
);

/** API keys: shown once, stored as SHA-256 hashes, bound to one tenant and one role. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** First characters of the key, to recognise it in lists. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    role: text('role').$type<Role>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('api_keys_tenant').on(t.tenantId),
    check('api_keys_role', sql`${t.role} in ('admin', 'operator', 'viewer')`),
  ],
);

/**
 * Audit trail: one row per state change, written in the change's transaction. Rows form one hash
 * chain per tenant (`chain` = tenant ID, or 'system'): each stores the previous row's hash, so an
 * edited or deleted row breaks the chain (`qrforge audit verify`).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chain: text('chain').notNull(),
    tenantId: uuid('tenant_id'),
    actorType: text('actor_type').$type<'user' | 'api-key' | 'system'>().notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_log_chain').on(t.chain, t.id),
    index('audit_log_tenant_time').on(t.tenantId, t.createdAt),
  ],
);

/** The last hash of each audit chain; its row lock serialises appends to one chain. */
export const auditHeads = pgTable('audit_heads', {
  chain: text('chain').primaryKey(),
  hash: text('hash').notNull(),
});

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Jobs of the embedded queue. A running job holds a lease (`locked_until`) that its worker keeps
 * extending; when a worker dies the lease runs out and another worker (or the restarted process)
 * claims the job again.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    result: jsonb('result'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('jobs_claim').on(t.status, t.runAfter),
    index('jobs_tenant').on(t.tenantId, t.createdAt),
  ],
);

/** Side effects a job has completed, by key: a re-run after a crash skips them. */
export const jobEffects = pgTable(
  'job_effects',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.key] })],
);

export const OUTBOX_ACTIONS = ['put', 'delete'] as const;

/**
 * Replication outbox: an object write or delete the backup store has not taken yet. The row is
 * written before the primary is touched, so a crash between the two stores leaves work to do,
 * never a silent gap. One row per key: the latest intent wins (`token` tells intents apart).
 */
export const storageOutbox = pgTable(
  'storage_outbox',
  {
    key: text('key').primaryKey(),
    action: text('action', { enum: OUTBOX_ACTIONS }).notNull(),
    token: uuid('token').notNull().defaultRandom(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('storage_outbox_next_idx').on(t.nextAttemptAt)],
);

/**
 * Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header): the first answer to a POST
 * with a key, kept so a client's retry gets the same answer instead of a second write. `status`
 * is null while the first request is still being handled.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Method and path, and a hash of the body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    contentType: text('content_type'),
    body: text('body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    index('idempotency_keys_age').on(t.createdAt),
  ],
);
