/**
 * Embedded job queue: jobs live in the database (PGlite or PostgreSQL), so a restart resumes them.
 * Workers claim a job with a lease (`FOR UPDATE SKIP LOCKED`, safe with several processes on
 * PostgreSQL), extend the lease while it runs, and record the outcome. A worker that dies stops
 * extending; when the lease runs out the job is claimed again. Failures retry with exponential
 * backoff up to maxAttempts.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { jobs } from '../db/schema.js';
import { JobStore, runJob, toRecord, type JobRow } from './job-store.js';
import type { EnqueueOptions, JobHandlers, JobQueue, JobRecord } from './queue.js';

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

interface Running {
  row: JobRow;
  controller: AbortController;
  done: Promise<void>;
}

export class EmbeddedQueue implements JobQueue {
  private readonly store: JobStore;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private handlers: JobHandlers = {};
  private running = new Map<string, Running>();
  private loops: Promise<void>[] = [];
  private stopped = true;
  private wake: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    options: EmbeddedQueueOptions = {},
  ) {
    this.store = new JobStore(db);
    this.leaseMs = options.leaseMs ?? 30_000;
    // Idle polling only finds jobs of other processes (enqueues here wake the loop at once); on
    // PGlite every poll costs main-thread time, so it stays slow.
    this.pollMs = options.pollMs ?? 1000;
    this.concurrency = options.concurrency ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
  }

  async enqueue(
    tenantId: string | null,
    type: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<JobRecord> {
    const { row } = await this.store.insert(tenantId, type, payload, options);
    this.wake?.();
    return toRecord(row);
  }

  get(tenantId: string | null, id: string): Promise<JobRecord | undefined> {
    return this.store.get(tenantId, id);
  }

  async cancel(
    tenantId: string | null,
    id: string,
    alsoInTransaction?: (tx: Database) => Promise<void>,
  ): Promise<boolean> {
    const outcome = await this.store.cancel(tenantId, id, alsoInTransaction);
    if (outcome === 'requested') this.running.get(id)?.controller.abort();
    return outcome !== false;
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
      // its abort signal may still finish later; its writes are fenced off (JobStore.finish).
      const running = [...this.running.values()];
      for (const r of running) r.controller.abort();
      await this.store.release(running.map((r) => r.row));
    } else {
      await Promise.all(this.loops);
    }
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let row: JobRow | undefined;
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
  private async claim(): Promise<JobRow | undefined> {
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

  private async run(row: JobRow): Promise<void> {
    if (this.stopped) {
      // Claimed while close() began: hand it straight back (the attempt does not count).
      await this.db
        .update(jobs)
        .set({ status: 'queued', attempts: row.attempts - 1, lockedUntil: null })
        .where(
          and(eq(jobs.id, row.id), eq(jobs.attempts, row.attempts), eq(jobs.status, 'running')),
        );
      return;
    }
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.running.set(row.id, { row, controller, done });
    try {
      await runJob(this.store, row, this.handlers, controller, {
        leaseMs: this.leaseMs,
        retryBaseMs: this.retryBaseMs,
        heartbeatMs: Math.max(50, this.leaseMs / 3),
        extendLease: true,
        releasing: () => this.stopped,
      });
    } finally {
      this.running.delete(row.id);
      finish();
    }
  }
}
