/**
 * The job queue contract, shared by every backend (embedded.ts today; BullMQ with REDIS_URL next).
 * Jobs form a typed catalogue: a job type maps to its payload type, and handlers are registered
 * per type when a worker starts.
 */
import type { Database } from '../db/database.js';
import type { JobStatus } from '../db/schema.js';

/** Job types and their payloads; modules add theirs by declaration merging. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobCatalogue {}

export type JobType = keyof JobCatalogue;

export interface JobRecord {
  id: string;
  tenantId: string | null;
  type: string;
  status: JobStatus;
  /** 0-100 */
  progress: number;
  result: unknown;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface JobContext {
  readonly id: string;
  readonly tenantId: string | null;
  /** 1 for the first run, 2 after one retry or crash, ... */
  readonly attempt: number;
  /** Aborted when someone cancels the job; handlers should stop soon after. */
  readonly signal: AbortSignal;
  progress(percent: number): Promise<void>;
  /**
   * Runs `effect` at most once per job and key, in one transaction with its marker: a job that
   * re-runs after a crash skips the database side effects it already made.
   */
  once(key: string, effect: (tx: Database) => Promise<void>): Promise<void>;
}

export type JobHandler<P = unknown> = (payload: P, context: JobContext) => Promise<unknown>;
export type JobHandlers = { [T in JobType]?: JobHandler<JobCatalogue[T]> } & Record<
  string,
  JobHandler<never> | undefined
>;

export interface EnqueueOptions {
  /** Caller-chosen ID: enqueueing the same ID twice gives the same job (idempotent). */
  id?: string;
  maxAttempts?: number;
}

export interface JobQueue {
  enqueue(
    tenantId: string | null,
    type: string,
    payload: unknown,
    options?: EnqueueOptions,
  ): Promise<JobRecord>;
  /** A job of the tenant (null: system jobs), or undefined — never another tenant's job. */
  get(tenantId: string | null, id: string): Promise<JobRecord | undefined>;
  /**
   * Cancels a queued job at once, asks a running one to stop; false when not found or finished.
   * `alsoInTransaction` runs in the same transaction as the change (the audit entry).
   */
  cancel(
    tenantId: string | null,
    id: string,
    alsoInTransaction?: (tx: Database) => Promise<void>,
  ): Promise<boolean>;
  /** Starts taking jobs with these handlers. */
  start(handlers: JobHandlers): void;
  /**
   * Stops taking jobs, waits up to `graceMs` for running ones, then releases the rest to the
   * queue (another worker or the next start picks them up).
   */
  close(graceMs?: number): Promise<void>;
}

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
