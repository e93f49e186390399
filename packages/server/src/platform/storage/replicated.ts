/**
 * Primary + backup as one store. Acknowledgement policy: a write succeeds when the primary has
 * it and the intent to copy it is in the outbox (written first, so a crash between the two stores
 * is repaired, not lost). The copy to the backup is tried at once in the background and retried
 * from the outbox until it is done, so a backup outage loses nothing; it only makes /ready report
 * "degraded". Reads fall back to the backup when the primary fails or lacks the object.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Readable } from 'node:stream';
import { Counter, Gauge, type Registry } from 'prom-client';
import { copyObject } from './copy.js';
import type { OutboxEntry, ReplicationOutbox } from './outbox.js';
import type {
  ObjectInfo,
  ObjectStore,
  PresignOptions,
  StoredObject,
  WriteOptions,
} from './storage.js';

export interface ReplicationMetrics {
  copies: Counter<'action' | 'result'>;
  pending: Gauge;
  fallbacks: Counter;
}

export function replicationMetrics(registry: Registry): ReplicationMetrics {
  return {
    copies: new Counter({
      name: 'storage_replication_total',
      help: 'Backup copies and deletes by action (put, delete) and result (ok, error).',
      labelNames: ['action', 'result'] as const,
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'storage_replication_pending',
      help: 'Objects waiting in the outbox for the backup store.',
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'storage_read_fallbacks_total',
      help: 'Reads answered by the backup store because the primary failed or lacked the object.',
      registers: [registry],
    }),
  };
}

export class ReplicatedStore implements ObjectStore {
  readonly provider: string;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * The last backup operation of each key in this process. Operations on one key run in order,
   * so a delete cannot overtake the background copy of an earlier put (which would land after it
   * and bring the object back on the backup).
   */
  private readonly lastOfKey = new Map<string, Promise<void>>();

  constructor(
    readonly primary: ObjectStore,
    readonly backup: ObjectStore,
    readonly outbox: ReplicationOutbox,
    private readonly metrics: ReplicationMetrics,
    private readonly log?: FastifyBaseLogger,
  ) {
    this.provider = primary.provider;
  }

  /**
   * A create-only write is decided by the primary; the backup copies what the primary holds
   * (`info` is the stored object's, which for a replay may be the earlier write's).
   */
  async put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options?: WriteOptions,
  ): Promise<ObjectInfo> {
    const token = await this.outbox.record(key, 'put');
    const info = await this.primary.put(key, bytes, contentType, options);
    this.background({ key, token, action: 'put', attempts: 0 }, () =>
      this.backup.put(key, bytes, contentType),
    );
    return info;
  }

  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    options?: WriteOptions,
  ): Promise<ObjectInfo> {
    const token = await this.outbox.record(key, 'put');
    const info = await this.primary.putStream(key, body, contentType, options);
    this.background({ key, token, action: 'put', attempts: 0 }, () =>
      copyObject(this.primary, this.backup, key),
    );
    return info;
  }

  /** Deletes from both before answering; a backup that fails keeps the delete in the outbox. */
  async delete(key: string): Promise<void> {
    const token = await this.outbox.record(key, 'delete');
    await this.primary.delete(key);
    await this.inOrder(key, () =>
      this.attempt({ key, token, action: 'delete', attempts: 0 }, () => this.backup.delete(key)),
    );
  }

  async get(key: string): Promise<StoredObject | undefined> {
    return this.fallback(key, (store) => store.get(key));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return this.fallback(key, (store) => store.head(key));
  }

  /** Readiness follows the primary; the backup's state is `degraded()`. */
  async create(): Promise<void> {
    await this.primary.create();
    await this.backup.create();
  }

  ping(): Promise<void> {
    return this.primary.ping();
  }

  list(prefix?: string): AsyncIterable<string> {
    return this.primary.list(prefix);
  }

  async presign(key: string, options: PresignOptions): Promise<string | undefined> {
    const onPrimary = await this.primary.head(key).catch(() => undefined);
    return (onPrimary ? this.primary : this.backup).presign(key, options);
  }

  /** Rejects with the reason when the backup is unreachable or copies are failing. */
  async degraded(): Promise<void> {
    await this.backup.ping();
    const status = await this.outbox.status();
    this.metrics.pending.set(status.pending);
    if (status.failing > 0)
      throw new Error(
        `${status.failing} of ${status.pending} backup copies failing (oldest ${status.oldestSeconds} s): ${status.lastError}`,
      );
  }

  /** Retries outbox entries every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.drain().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  /** Stops retrying and waits for copies under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Works through every due entry once; concurrent calls share one pass. */
  drain(): Promise<void> {
    this.draining ??= this.drainOnce().finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** Waits for the background copies started by writes so far (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async drainOnce(): Promise<void> {
    for (;;) {
      const entries = await this.outbox.claim(20);
      if (entries.length === 0) break;
      await Promise.all(entries.map((entry) => this.replay(entry)));
    }
    this.metrics.pending.set((await this.outbox.status()).pending);
  }

  private replay(entry: OutboxEntry): Promise<void> {
    return this.inOrder(entry.key, () =>
      this.attempt(entry, async () => {
        if (entry.action === 'delete') return this.backup.delete(entry.key);
        // The primary not having it means the write never completed there: nothing to copy.
        await copyObject(this.primary, this.backup, entry.key);
      }),
    );
  }

  private background(entry: OutboxEntry, copy: () => Promise<unknown>): void {
    const run = this.inOrder(entry.key, () => this.attempt(entry, copy)).finally(() =>
      this.inFlight.delete(run),
    );
    this.inFlight.add(run);
  }

  /** Runs `task` after the key's earlier backup operations (`attempt` never rejects). */
  private inOrder(key: string, task: () => Promise<void>): Promise<void> {
    const run = (this.lastOfKey.get(key) ?? Promise.resolve()).then(task);
    this.lastOfKey.set(key, run);
    void run.finally(() => {
      if (this.lastOfKey.get(key) === run) this.lastOfKey.delete(key);
    });
    return run;
  }

  private async attempt(entry: OutboxEntry, copy: () => Promise<unknown>): Promise<void> {
    try {
      await copy();
      await this.outbox.done(entry.key, entry.token);
      this.metrics.copies.inc({ action: entry.action, result: 'ok' });
    } catch (error) {
      this.metrics.copies.inc({ action: entry.action, result: 'error' });
      this.log?.warn({ err: error, key: entry.key }, 'backup store copy failed; will retry');
      await this.outbox.failed(entry, error).catch(() => undefined);
    }
  }

  private async fallback<T>(
    key: string,
    read: (store: ObjectStore) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    try {
      const found = await read(this.primary);
      if (found) return found;
      // Absent on the primary: deleted (and the backup's delete still pending), or lost.
      if (await this.outbox.pending(key, 'delete')) return undefined;
    } catch (error) {
      this.log?.warn({ err: error, key }, 'primary store read failed; reading the backup');
    }
    const found = await read(this.backup);
    if (found) this.metrics.fallbacks.inc();
    return found;
  }
}
