/**
 * Job records in the database, shared by both backends. The database is the record of truth for
 * a job's status, progress and result (tenant-scoped reads, cancel and its audit entry in one
 * transaction, side-effect markers); a backend only decides who runs which job when.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { jobEffects, jobs } from '../db/schema.js';
import type { EnqueueOptions, JobContext, JobHandlers, JobRecord } from './queue.js';

export type JobRow = typeof jobs.$inferSelect;

export function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    type: row.type,
    status: row.status,
    progress: row.progress,
    result: row.result ?? null,
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const tenantIs = (tenantId: string | null) =>
  tenantId === null ? isNull(jobs.tenantId) : eq(jobs.tenantId, tenantId);

export class JobStore {
  constructor(readonly db: Database) {}

  /** Inserts the job unless its ID exists; `created` says which. */
  async insert(
    tenantId: string | null,
    type: string,
    payload: unknown,
    options: EnqueueOptions,
  ): Promise<{ row: JobRow; created: boolean }> {
    const id = options.id ?? randomUUID();
    const inserted = await this.db
      .insert(jobs)
      .values({
        id,
        tenantId,
        type,
        payload: payload ?? null,
        maxAttempts: options.maxAttempts ?? 3,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted.length) return { row: inserted[0], created: true };
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    return { row, created: false };
  }

  async remove(id: string): Promise<void> {
    await this.db.delete(jobs).where(eq(jobs.id, id));
  }

  async get(tenantId: string | null, id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, id), tenantIs(tenantId)));
    return row && toRecord(row);
  }

  /** Queued and running jobs of these types (what a backend must still deliver). */
  async unfinished(types: string[]): Promise<JobRow[]> {
    if (!types.length) return [];
    return this.db
      .select()
      .from(jobs)
      .where(and(inArray(jobs.type, types), inArray(jobs.status, ['queued', 'running'])));
  }

  /**
   * Cancels a queued job ('cancelled') or flags a running one ('requested'; its worker sees the
   * flag and aborts the handler); false when not found or already finished.
   */
  async cancel(
    tenantId: string | null,
    id: string,
    alsoInTransaction?: (tx: Database) => Promise<void>,
  ): Promise<'cancelled' | 'requested' | false> {
    return this.db.transaction(async (tx) => {
      const queued = await tx
        .update(jobs)
        .set({ status: 'cancelled', updatedAt: new Date() })
        .where(and(eq(jobs.id, id), tenantIs(tenantId), eq(jobs.status, 'queued')))
        .returning({ id: jobs.id });
      const active = queued.length
        ? []
        : await tx
            .update(jobs)
            .set({ cancelRequested: true, updatedAt: new Date() })
            .where(and(eq(jobs.id, id), tenantIs(tenantId), eq(jobs.status, 'running')))
            .returning({ id: jobs.id });
      const outcome = queued.length ? 'cancelled' : active.length ? 'requested' : false;
      if (outcome && alsoInTransaction) await alsoInTransaction(tx);
      return outcome;
    });
  }

  /**
   * Marks a delivered job running and counts the attempt; undefined when it is no longer
   * runnable (cancelled or finished while it waited). The new attempt number is the run's
   * fencing token (see finish).
   */
  async begin(id: string, leaseMs: number): Promise<JobRow | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({
        status: 'running',
        attempts: sql`${jobs.attempts} + 1`,
        lockedUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        updatedAt: new Date(),
      })
      .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
      .returning();
    return row;
  }

  /**
   * Records a run's outcome only while that run still owns the job: status running and the same
   * attempt number (a fencing token). A run whose job was released or reclaimed changes nothing.
   */
  async finish(row: JobRow, values: Partial<typeof jobs.$inferInsert>): Promise<void> {
    await this.db
      .update(jobs)
      .set({ ...values, lockedUntil: null, updatedAt: new Date() })
      .where(and(eq(jobs.id, row.id), eq(jobs.attempts, row.attempts), eq(jobs.status, 'running')));
  }

  /** Gives running jobs back to the queue without counting the attempt as a failure. */
  async release(rows: JobRow[]): Promise<void> {
    for (const row of rows) await this.finish(row, { status: 'queued' });
  }

  /** Extends the lease (embedded backend) and says whether a cancel was requested. */
  async heartbeat(id: string, leaseMs: number): Promise<{ cancelRequested: boolean }> {
    const [row] = await this.db
      .update(jobs)
      .set({ lockedUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'running')))
      .returning({ cancelRequested: jobs.cancelRequested });
    return { cancelRequested: row?.cancelRequested ?? false };
  }

  async cancelRequested(id: string): Promise<boolean> {
    const [row] = await this.db
      .select({ c: jobs.cancelRequested })
      .from(jobs)
      .where(eq(jobs.id, id));
    return row?.c ?? false;
  }

  context(row: JobRow, signal: AbortSignal): JobContext {
    return {
      id: row.id,
      tenantId: row.tenantId,
      attempt: row.attempts,
      signal,
      progress: async (percent) => {
        const value = Math.max(0, Math.min(100, Math.round(percent)));
        await this.db
          .update(jobs)
          .set({ progress: value, updatedAt: new Date() })
          .where(and(eq(jobs.id, row.id), eq(jobs.attempts, row.attempts)));
      },
      once: async (key, effect) => {
        await this.db.transaction(async (tx) => {
          const marked = await tx
            .insert(jobEffects)
            .values({ jobId: row.id, key })
            .onConflictDoNothing()
            .returning({ key: jobEffects.key });
          if (marked.length) await effect(tx);
        });
      },
    };
  }
}

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'cancelled' }
  | { kind: 'released' }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'failed'; error: string };

export interface RunOptions {
  leaseMs: number;
  retryBaseMs: number;
  /** How often the run looks for a cancel request (and extends the lease when asked to). */
  heartbeatMs: number;
  extendLease: boolean;
  /** True once the backend is giving its jobs back (close() ran out of grace). */
  releasing: () => boolean;
}

/**
 * Runs one begun job with its handler and records the outcome in the database. Both backends
 * share it, so a job behaves the same whichever one delivered it.
 */
export async function runJob(
  store: JobStore,
  row: JobRow,
  handlers: JobHandlers,
  controller: AbortController,
  options: RunOptions,
): Promise<RunOutcome> {
  const heartbeat = setInterval(() => {
    const beat = options.extendLease
      ? store.heartbeat(row.id, options.leaseMs)
      : store.cancelRequested(row.id).then((c) => ({ cancelRequested: c }));
    // A missed heartbeat only shortens the lease or delays a cancel; the next one retries.
    beat.then((b) => b.cancelRequested && controller.abort()).catch(() => undefined);
  }, options.heartbeatMs);
  try {
    if (row.attempts > row.maxAttempts) throw new StalledError(row.attempts - 1);
    if (row.cancelRequested) controller.abort();
    const handler = handlers[row.type] as
      ((p: unknown, c: JobContext) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`No handler for job type ${row.type}`);
    const result = await handler(row.payload, store.context(row, controller.signal));
    if (controller.signal.aborted) throw new CancelledError();
    await store.finish(row, { status: 'completed', progress: 100, result: result ?? null });
    return { kind: 'completed' };
  } catch (error) {
    if (controller.signal.aborted && (await store.cancelRequested(row.id))) {
      await store.finish(row, { status: 'cancelled', error: null });
      return { kind: 'cancelled' };
    }
    // Released by close(): the backend has handed it back for the next worker.
    if (options.releasing() && controller.signal.aborted) return { kind: 'released' };
    const text = error instanceof Error ? error.message : String(error);
    const retryable = !(error instanceof StalledError || error instanceof PermanentJobError);
    if (row.attempts < row.maxAttempts && retryable) {
      const delayMs = options.retryBaseMs * 2 ** (row.attempts - 1);
      await store.finish(row, {
        status: 'queued',
        runAfter: new Date(Date.now() + delayMs),
        error: text,
      });
      return { kind: 'retry', delayMs, error: text };
    }
    await store.finish(row, { status: 'failed', error: text });
    return { kind: 'failed', error: text };
  } finally {
    clearInterval(heartbeat);
  }
}

/** A failure that another attempt cannot fix (bad input, say): the job fails at once. */
export class PermanentJobError extends Error {}

class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Begun more often than maxAttempts: it kept killing its worker (or the lease is too short). */
class StalledError extends Error {
  constructor(runs: number) {
    super(`stalled: the job was started ${runs} times without finishing`);
  }
}
