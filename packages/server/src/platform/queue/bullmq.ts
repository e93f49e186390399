/**
 * BullMQ backend (REDIS_URL): Redis delivers jobs to any number of `qrforge worker` processes —
 * blocking fetch instead of polling, per-job locks that BullMQ renews, stalled-job recovery when a
 * worker dies, retries with exponential backoff. The job's record (status, progress, result,
 * side-effect markers) stays in the database through JobStore, as with the embedded backend, so
 * reads stay tenant-scoped and a cancel is audited in the same transaction.
 *
 * Redis carries only the job ID. After Redis loses data (a restart without persistence), start()
 * re-adds every unfinished job from the database; BullMQ ignores IDs it already holds.
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Database } from '../db/database.js';
import { JobStore, runJob, toRecord, type JobRow } from './job-store.js';
import type { EnqueueOptions, JobHandlers, JobQueue, JobRecord } from './queue.js';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Redis key prefix; tests use one per run. */
  prefix?: string;
  /** How long a job's lock lasts without renewal (BullMQ renews at half). */
  leaseMs?: number;
  /** How often a running job looks for a cancel request. */
  cancelPollMs?: number;
  /** Jobs run at once by this process. */
  concurrency?: number;
  /** Base of the retry backoff (doubles per attempt). */
  retryBaseMs?: number;
}

interface Running {
  row: JobRow;
  job: Job;
  token: string | undefined;
  controller: AbortController;
  /** Resolves when close() has handed the job back. */
  released: Promise<void>;
  release: () => void;
  done: Promise<void>;
}

export class BullmqQueue implements JobQueue {
  private readonly store: JobStore;
  /** One BullMQ queue per module (the job type's prefix), so a worker serving some modules
   * never takes another module's jobs. */
  private readonly queues = new Map<string, Queue>();
  private readonly leaseMs: number;
  private readonly cancelPollMs: number;
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private readonly connections: Redis[] = [];
  private workers: Worker[] = [];
  private handlers: JobHandlers = {};
  private running = new Map<string, Running>();
  private releasing = false;
  private producer: Redis | undefined;
  private readonly prefix: string;

  constructor(
    db: Database,
    private readonly options: BullmqQueueOptions,
  ) {
    this.store = new JobStore(db);
    this.prefix = options.prefix ?? 'qrforge';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.cancelPollMs = options.cancelPollMs ?? 1000;
    this.concurrency = options.concurrency ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
  }

  async enqueue(
    tenantId: string | null,
    type: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<JobRecord> {
    const { row, created } = await this.store.insert(tenantId, type, payload, options);
    if (row.status === 'queued') {
      try {
        await this.deliver(row);
      } catch (error) {
        // Not deliverable now: leave no record behind that would never run.
        if (created) await this.store.remove(row.id);
        throw error;
      }
    }
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
    if (outcome === 'cancelled') {
      // Best effort: a worker that gets it anyway finds it cancelled and skips it.
      const job = await this.store.get(tenantId, id);
      if (job)
        await this.queueFor(job.type)
          .remove(id)
          .catch(() => undefined);
    }
    if (outcome === 'requested') this.running.get(id)?.controller.abort();
    return outcome !== false;
  }

  start(handlers: JobHandlers): void {
    this.handlers = handlers;
    const names = new Set(Object.keys(handlers).map(queueName));
    // Workers wait for Redis to come back rather than fail (BullMQ requires null here).
    const connection = this.connect({ maxRetriesPerRequest: null });
    for (const name of names) {
      const worker = new Worker(name, (job, token) => this.process(job, token), {
        connection,
        prefix: this.prefix,
        concurrency: this.concurrency,
        lockDuration: this.leaseMs,
        stalledInterval: Math.max(100, this.leaseMs / 2),
        // Runs that never finish are counted in the database (StalledError), not by BullMQ, so
        // a stalled job always comes back to a worker and ends with a recorded status.
        maxStalledCount: Number.MAX_SAFE_INTEGER,
      });
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
    void this.redeliver().catch(() => undefined);
  }

  async close(graceMs = 25_000): Promise<void> {
    if (this.workers.length) {
      const closed = Promise.all(this.workers.map((w) => w.close()));
      const all = Promise.all([...this.running.values()].map((r) => r.done));
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) await this.releaseRunning();
      await closed;
    }
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const c of this.connections) c.disconnect();
  }

  private connect(options: { maxRetriesPerRequest: number | null }): Redis {
    const connection = new Redis(this.options.redisUrl, options);
    connection.on('error', () => undefined); // reported by the failing calls and /ready
    this.connections.push(connection);
    return connection;
  }

  /** Hands every running job back: waiting in Redis at once, queued in the database. */
  private async releaseRunning(): Promise<void> {
    this.releasing = true;
    const running = [...this.running.values()];
    for (const r of running) r.controller.abort();
    await this.store.release(running.map((r) => r.row));
    for (const r of running) {
      await r.job.moveToWait(r.token).catch(() => undefined);
      r.release();
    }
  }

  private queueFor(type: string): Queue {
    const name = queueName(type);
    let queue = this.queues.get(name);
    if (!queue) {
      // Enqueueing fails fast when Redis is down (the caller answers 503) instead of waiting.
      queue = new Queue(name, {
        connection: (this.producer ??= this.connect({ maxRetriesPerRequest: 1 })),
        prefix: this.prefix,
      });
      // Errors reach callers through the promises; without a listener 'error' would throw.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private deliver(row: JobRow): Promise<unknown> {
    return this.queueFor(row.type).add(
      row.type,
      {},
      {
        jobId: row.id,
        attempts: row.maxAttempts,
        backoff: { type: 'exponential', delay: this.retryBaseMs },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Re-adds unfinished jobs Redis may have lost; existing IDs are ignored by BullMQ. */
  private async redeliver(): Promise<void> {
    for (const row of await this.store.unfinished(Object.keys(this.handlers))) {
      await this.deliver(row);
    }
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const row = job.id ? await this.store.begin(job.id, this.leaseMs) : undefined;
    if (!row) return; // cancelled or finished while waiting
    const controller = new AbortController();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.running.set(row.id, { row, job, token, controller, released, release, done });
    try {
      const outcome = await Promise.race([
        runJob(this.store, row, this.handlers, controller, {
          leaseMs: this.leaseMs,
          retryBaseMs: this.retryBaseMs,
          heartbeatMs: this.cancelPollMs,
          extendLease: false,
          releasing: () => this.releasing,
        }),
        released.then(() => ({ kind: 'released' as const })),
      ]);
      // Tell BullMQ what the database now says.
      if (outcome.kind === 'released') throw new WaitingError();
      if (outcome.kind === 'retry') throw new Error(outcome.error);
      if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.error);
    } finally {
      this.running.delete(row.id);
      finish();
    }
  }
}

/** Job types are `<module>.<name>`; each module gets its own queue. */
function queueName(type: string): string {
  return type.split('.')[0];
}
