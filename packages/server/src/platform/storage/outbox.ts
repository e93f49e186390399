/**
 * The replication outbox (table `storage_outbox`): intents to copy or delete a key on the backup
 * store, persisted before the primary is written. Any process may work through it; rows are
 * claimed with SKIP LOCKED and a lease, so two processes never copy the same key at once, and a
 * process that dies mid-copy only delays the copy by the lease.
 */
import { and, asc, count, eq, gt, lte, min, sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { storageOutbox } from '../db/schema.js';

export type OutboxAction = (typeof storageOutbox.$inferSelect)['action'];

export interface OutboxEntry {
  key: string;
  action: OutboxAction;
  token: string;
  attempts: number;
}

export interface OutboxStatus {
  pending: number;
  /** Entries whose copy failed at least once. */
  failing: number;
  oldestSeconds: number;
  lastError: string | null;
}

/** A claimed entry is left alone by other processes for this long. */
const LEASE_SECONDS = 60;
/** Back-off after a failed copy: 1 s doubling, at most 5 minutes. */
const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.min(attempts - 1, 9));

export class ReplicationOutbox {
  constructor(private readonly db: Database) {}

  /**
   * Records an intent; returns its token (a later intent for the key replaces it). The entry is
   * leased to the caller, who tries the copy at once; others take it up only if that fails.
   */
  async record(key: string, action: OutboxAction): Promise<string> {
    const [row] = await this.db
      .insert(storageOutbox)
      .values({ key, action, nextAttemptAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .onConflictDoUpdate({
        target: storageOutbox.key,
        set: {
          action,
          token: sql`gen_random_uuid()`,
          attempts: 0,
          nextAttemptAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})`,
          lastError: null,
          createdAt: sql`now()`,
        },
      })
      .returning({ token: storageOutbox.token });
    return row.token;
  }

  /** Removes the intent if it is still the one with `token` (a newer intent stays). */
  async done(key: string, token: string): Promise<void> {
    await this.db
      .delete(storageOutbox)
      .where(and(eq(storageOutbox.key, key), eq(storageOutbox.token, token)));
  }

  /** Claims up to `limit` entries that are due, leasing them to this caller. */
  async claim(limit: number): Promise<OutboxEntry[]> {
    const due = this.db
      .select({ key: storageOutbox.key })
      .from(storageOutbox)
      .where(lte(storageOutbox.nextAttemptAt, sql`now()`))
      .orderBy(asc(storageOutbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.db
      .update(storageOutbox)
      .set({ nextAttemptAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where(sql`${storageOutbox.key} in ${due}`)
      .returning({
        key: storageOutbox.key,
        action: storageOutbox.action,
        token: storageOutbox.token,
        attempts: storageOutbox.attempts,
      });
  }

  async failed(entry: OutboxEntry, error: unknown): Promise<void> {
    const attempts = entry.attempts + 1;
    await this.db
      .update(storageOutbox)
      .set({
        attempts,
        lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
        nextAttemptAt: sql`now() + make_interval(secs => ${backoffSeconds(attempts)})`,
      })
      .where(and(eq(storageOutbox.key, entry.key), eq(storageOutbox.token, entry.token)));
  }

  /** Makes every entry due now (reconcile, tests, and an operator who fixed the backup). */
  async expedite(): Promise<void> {
    await this.db.update(storageOutbox).set({ nextAttemptAt: sql`now()` });
  }

  async pending(key: string, action: OutboxAction): Promise<boolean> {
    const rows = await this.db
      .select({ key: storageOutbox.key })
      .from(storageOutbox)
      .where(and(eq(storageOutbox.key, key), eq(storageOutbox.action, action)));
    return rows.length > 0;
  }

  async pendingDeletes(): Promise<Set<string>> {
    const rows = await this.db
      .select({ key: storageOutbox.key })
      .from(storageOutbox)
      .where(eq(storageOutbox.action, 'delete'));
    return new Set(rows.map((r) => r.key));
  }

  async status(): Promise<OutboxStatus> {
    const [totals] = await this.db
      .select({ pending: count(), oldest: min(storageOutbox.createdAt) })
      .from(storageOutbox);
    const [failing] = await this.db
      .select({ failing: count(), lastError: sql<string | null>`max(${storageOutbox.lastError})` })
      .from(storageOutbox)
      .where(gt(storageOutbox.attempts, 0));
    const oldest = totals.oldest ? new Date(totals.oldest).getTime() : Date.now();
    return {
      pending: totals.pending,
      failing: failing.failing,
      oldestSeconds: Math.max(0, Math.round((Date.now() - oldest) / 1000)),
      lastError: failing.lastError,
    };
  }
}
