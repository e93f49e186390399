/**
 * Engraving: the tenant's laser machines, jobs (one item or many) in a priority queue, and each
 * job's pieces — the unit that is engraved, keyed so that no piece runs twice.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
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
import { items } from '../inventory/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const MACHINE_KINDS = ['diode', 'co2', 'fibre'] as const;
export const MACHINE_STATES = ['idle', 'busy', 'alarm', 'offline'] as const;
export const JOB_STATUSES = [
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;
export const PIECE_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
/** Queue order: urgent first. */
export const PRIORITIES = { low: 0, normal: 1, high: 2, urgent: 3 } as const;

export const machines = pgTable(
  'machines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: MACHINE_KINDS }).notNull(),
    workAreaX: doublePrecision('work_area_x').notNull(),
    workAreaY: doublePrecision('work_area_y').notNull(),
    /** GRBL $30: S at full power. */
    maxPower: integer('max_power').notNull(),
    spotSize: doublePrecision('spot_size').notNull(),
    maxRate: doublePrecision('max_rate').notNull(),
    acceleration: doublePrecision('acceleration').notNull(),
    hasZ: boolean('has_z').notNull().default(false),
    /** `{type:'simulated', speed}`, `{type:'tcp', host, port}` or `{type:'serial', path, baudRate}`. */
    connection: jsonb('connection').notNull(),
    /** Material presets: name, power, speed, passes, line interval, mode. */
    presets: jsonb('presets')
      .notNull()
      .default(sql`'[]'::jsonb`),
    state: text('state', { enum: MACHINE_STATES }).notNull().default('idle'),
    lastStatus: jsonb('last_status'),
    lastSeenAt: at('last_seen_at'),
    /** A state check holds the machine until then (no job starts meanwhile, nor another check). */
    probeUntil: at('probe_until'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('machines_tenant_name').on(t.tenantId, t.name)],
);

export const engravingJobs = pgTable(
  'engraving_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The machine asked for; null: any machine the toolpath fits. */
    machineId: uuid('machine_id').references(() => machines.id, { onDelete: 'set null' }),
    /** The machine running it. */
    assignedMachineId: uuid('assigned_machine_id').references(() => machines.id, {
      onDelete: 'set null',
    }),
    priority: integer('priority').notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
    /** Wait for an operator's go before each piece (parts loaded by hand). */
    confirmEach: boolean('confirm_each').notNull().default(false),
    /** Pieces the operator has allowed to start (confirmEach). */
    confirmed: integer('confirmed').notNull().default(0),
    /** Dry run: each program is checked by the controller in `$C` mode, nothing moves or burns. */
    dryRun: boolean('dry_run').notNull().default(false),
    /** Laser settings and placement. */
    settings: jsonb('settings').notNull(),
    total: integer('total').notNull(),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    operator: text('operator').notNull(),
    error: text('error'),
    /** Live progress, written at most twice a second: piece, lines acknowledged, ETA. */
    progress: jsonb('progress'),
    /** The process running it, and until when its claim holds. */
    leaseOwner: text('lease_owner'),
    leaseUntil: at('lease_until'),
    createdAt: at('created_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('engraving_jobs_queue').on(t.status, t.priority, t.createdAt),
    index('engraving_jobs_tenant_created').on(t.tenantId, t.createdAt),
  ],
);

export const engravingPieces = pgTable(
  'engraving_pieces',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => engravingJobs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    uid: text('uid').notNull(),
    /** What the code encodes (the item's code content). */
    content: text('content').notNull(),
    status: text('status', { enum: PIECE_STATUSES }).notNull().default('pending'),
    gcodeSha256: text('gcode_sha256'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [uniqueIndex('engraving_pieces_job_seq').on(t.jobId, t.seq)],
);
