/**
 * Embedded job queue: jobs live in the database (PGlite or PostgreSQL), so a restart resumes them.
 * Workers claim a job with a lease (`FOR UPDATE SKIP LOCKED`, safe with several processes on
 * PostgreSQL), extend the lease while it runs, and record the outcome. A worker that dies stops
 * extending; when the lease runs out the job is claimed again. Failures retry with exponential
 * backoff up to maxAttempts.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { jobEffects, jobs } from '../db/schema.js';
import type { EnqueueOptions, JobContext, JobHandlers, JobQueue, JobRecord } from './queue.js';

export interface EmbeddedQueueOptions {
  /** How long a claim lasts without a heartbeat. */
  leaseMs?: number;
  /** Idle polling interval. */
  pollMs?: number;
  /** Jobs run at once by this process. */
  concurrency?: number;
  /** Base of the retry backoff (doubles per attempt). */
  retryBaseMs?: number;
}

type Row = typeof jobs.$inferSelect;

function toRecord(row: Row): JobRecord {
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

export class EmbeddedQueue implements JobQueue {
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private handlers: JobHandlers = {};
  private running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private loops: Promise<void>[] = [];
  private stopped = true;
  private wake: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    options: EmbeddedQueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
    this.concurrency = options.concurrency ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
  }

  async enqueue(
    tenantId: string | null,
    type: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<JobRecord> {
    const id = options.id ?? randomUUID();
    await this.db
      .insert(jobs)
      .values({
        id,
        tenantId,
        type,
        payload: payload ?? null,
        maxAttempts: options.maxAttempts ?? 3,
      })
      .onConflictDoNothing();
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    this.wake?.();
    return toRecord(row);
  }

  async get(tenantId: string | null, id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, id), tenantIs(tenantId)));
    return row && toRecord(row);
  }

  async cancel(
    tenantId: string | null,
    id: string,
    alsoInTransaction?: (tx: Database) => Promise<void>,
  ): Promise<boolean> {
    const changed = await this.db.transaction(async (tx) => {
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
      const found = queued.length > 0 || active.length > 0;
      if (found && alsoInTransaction) await alsoInTransaction(tx);
      return found;
    });
    if (changed) this.running.get(id)?.controller.abort();
    return changed;
  }

  start(handlers: JobHandlers): void {
    this.handlers = handlers;
    this.stopped = false;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
  }

  async close(graceMs = 25_000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (timedOut) {
      // Give the unfinished jobs back: the next worker runs them again. A handler that ignores
      // its abort signal may still finish later; its writes are fenced off (see finishWith).
      const ids = [...this.running.keys()];
      for (const r of this.running.values()) r.controller.abort();
      if (ids.length) {
        await this.db
          .update(jobs)
          .set({ status: 'queued', lockedUntil: null, updatedAt: new Date() })
          .where(and(inArray(jobs.id, ids), eq(jobs.status, 'running')));
      }
    } else {
      await Promise.all(this.loops);
    }
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let row: Row | undefined;
      try {
        row = await this.claim();
      } catch {
        row = undefined; // database briefly unreachable: try again after the pause
      }
      if (!row) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      await this.run(row);
    }
  }

  /** Takes the oldest runnable job: queued and due, or running with an expired lease. */
  private async claim(): Promise<Row | undefined> {
    const types = Object.keys(this.handlers);
    if (!types.length) return undefined;
    const result = await this.db.execute<{ id: string }>(sql`
      update ${jobs} set status = 'running', attempts = ${jobs.attempts} + 1,
        locked_until = now() + ${`${this.leaseMs} milliseconds`}::interval, updated_at = now()
      where ${jobs.id} = (
        select ${jobs.id} from ${jobs}
        where ${inArray(jobs.type, types)}
          and ((${jobs.status} = 'queued' and ${jobs.runAfter} <= now())
            or (${jobs.status} = 'running' and ${jobs.lockedUntil} < now()))
        order by ${jobs.createdAt}
        limit 1
        for update skip locked)
      returning ${jobs.id}`);
    // Both drivers return { rows } (the generic database type cannot say so).
    const id = (result as { rows: { id: string }[] }).rows[0]?.id;
    if (!id) return undefined;
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    return row;
  }

  private async run(row: Row): Promise<void> {
    if (this.stopped) {
      // Claimed while close() began: hand it straight back (the attempt does not count).
      await this.db
        .update(jobs)
        .set({
          status: 'queued',
          attempts: row.attempts - 1,
          lockedUntil: null,
          updatedAt: new Date(),
        })
        .where(
          and(eq(jobs.id, row.id), eq(jobs.attempts, row.attempts), eq(jobs.status, 'running')),
        );
      return;
    }
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.running.set(row.id, { controller, done });
    const heartbeat = setInterval(
      () => void this.extendLease(row.id, controller),
      Math.max(50, this.leaseMs / 3),
    );
    try {
      if (row.attempts > row.maxAttempts) throw new StalledError(row.attempts - 1);
      if (row.cancelRequested) controller.abort();
      const handler = this.handlers[row.type] as
        ((p: unknown, c: JobContext) => Promise<unknown>) | undefined;
      if (!handler) throw new Error(`No handler for job type ${row.type}`);
      const result = await handler(row.payload, this.context(row, controller.signal));
      if (controller.signal.aborted) throw new CancelledError();
      await this.finishWith(row, {
        status: 'completed',
        progress: 100,
        result: result ?? null,
        error: null,
      });
    } catch (error) {
      const cancelled = controller.signal.aborted && (await this.cancelRequested(row.id));
      if (cancelled) {
        await this.finishWith(row, { status: 'cancelled', error: null });
      } else if (this.stopped && controller.signal.aborted) {
        // Released by close(): leave it queued for the next worker.
      } else if (row.attempts < row.maxAttempts && !(error instanceof StalledError)) {
        const delay = this.retryBaseMs * 2 ** (row.attempts - 1);
        await this.finishWith(row, {
          status: 'queued',
          runAfter: new Date(Date.now() + delay),
          error: message(error),
        });
      } else {
        await this.finishWith(row, { status: 'failed', error: message(error) });
      }
    } finally {
      clearInterval(heartbeat);
      this.running.delete(row.id);
      finish();
    }
  }

  private context(row: Row, signal: AbortSignal): JobContext {
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
          .where(eq(jobs.id, row.id));
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

  private async extendLease(id: string, controller: AbortController): Promise<void> {
    try {
      const [row] = await this.db
        .update(jobs)
        .set({ lockedUntil: sql`now() + ${`${this.leaseMs} milliseconds`}::interval` })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'running')))
        .returning({ cancelRequested: jobs.cancelRequested });
      if (row?.cancelRequested) controller.abort();
    } catch {
      // A missed heartbeat only shortens the lease; the next one retries.
    }
  }

  private async cancelRequested(id: string): Promise<boolean> {
    const [row] = await this.db
      .select({ c: jobs.cancelRequested })
      .from(jobs)
      .where(eq(jobs.id, id));
    return row?.c ?? false;
  }

  /**
   * Records a run's outcome only while that run still owns the job: status running and the same
   * attempt number (a fencing token). A run whose job was released or reclaimed changes nothing.
   */
  private async finishWith(row: Row, values: Partial<typeof jobs.$inferInsert>): Promise<void> {
    await this.db
      .update(jobs)
      .set({ ...values, lockedUntil: null, updatedAt: new Date() })
      .where(and(eq(jobs.id, row.id), eq(jobs.attempts, row.attempts), eq(jobs.status, 'running')));
  }
}

class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Claimed more often than maxAttempts: it kept killing its worker (or the lease is too short). */
class StalledError extends Error {
  constructor(runs: number) {
    super(`stalled: the job was started ${runs} times without finishing`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
