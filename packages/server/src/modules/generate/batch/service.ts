/**
 * Batch records: creating one stores its input, enqueues the job and records the batch with its
 * audit entry; reads are scoped by tenant.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import { recordAudit, type AuditContext } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/auth/guard.js';
import type { Database } from '../../../platform/db/database.js';
import { rowsOf } from '../../../platform/db/rows.js';
import type { JobQueue } from '../../../platform/queue/queue.js';
import type { ObjectStore } from '../../../platform/storage/storage.js';
import { batches } from '../schema.js';
import type { BatchOptions } from './run-batch.js';

export type BatchRecord = typeof batches.$inferSelect;

export const BATCH_JOB = 'generate.batch';

export class BatchService {
  constructor(
    private readonly db: Database,
    private readonly store: ObjectStore,
    private readonly queue: JobQueue,
    /** Unfinished batches one tenant may have at once (QRFORGE_BATCH_MAX_ACTIVE). */
    private readonly maxActive = Infinity,
  ) {}

  async create(
    principal: Principal,
    input: { bytes: Uint8Array; source: string; rowCount: number },
    options: BatchOptions,
    audit: AuditContext,
  ): Promise<BatchRecord> {
    const id = randomUUID();
    const inputKey = `${principal.tenantId}/batches/${id}/input.${options.kind}`;
    await this.store.put(
      inputKey,
      input.bytes,
      options.kind === 'csv' ? 'text/csv' : 'text/plain',
      { ifAbsent: true },
    );
    const jobId = randomUUID();
    const batch = await this.db
      .transaction(async (tx) => {
        await this.admit(tx, principal.tenantId);
        const [row] = await tx
          .insert(batches)
          .values({
            id,
            tenantId: principal.tenantId,
            jobId,
            createdByUser: principal.userId,
            createdByApiKey: principal.apiKeyId,
            source: input.source,
            inputKey,
            rowCount: input.rowCount,
            options,
          })
          .returning();
        await recordAudit(tx, audit, {
          action: 'batch.create',
          targetType: 'batch',
          targetId: id,
          summary: { rows: input.rowCount, formats: options.formats, source: input.source },
        });
        return row;
      })
      .catch(async (error: unknown) => {
        await this.store.delete(inputKey).catch(() => {});
        throw error;
      });
    // After the commit, so the job always finds its batch.
    await this.queue.enqueue(principal.tenantId, BATCH_JOB, { batchId: id }, { id: jobId });
    return batch;
  }

  /**
   * Refuses a batch past the tenant's cap of unfinished ones (queued or running, or recorded and
   * not yet enqueued). A per-tenant advisory lock makes the count and the insert one step, so
   * concurrent requests cannot all slip under the cap.
   */
  private async admit(tx: Database, tenantId: string): Promise<void> {
    if (!Number.isFinite(this.maxActive)) return;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`batches:${tenantId}`}))`);
    const result = await tx.execute(sql`
      select count(*)::int as n from batches b left join jobs j on j.id = b.job_id
      where b.tenant_id = ${tenantId} and b.finished_at is null
        and (j.id is null or j.status in ('queued', 'running'))`);
    const active = Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
    if (active >= this.maxActive)
      throw new AppError(
        'BATCH_ERR_TOO_MANY_ACTIVE',
        `This tenant has ${active} unfinished batches, the most allowed at once (QRFORGE_BATCH_MAX_ACTIVE); retry when one finishes`,
        { active, limit: this.maxActive },
      );
  }

  async get(tenantId: string, id: string): Promise<BatchRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(batches)
      .where(and(eq(batches.tenantId, tenantId), eq(batches.id, id)));
    return row;
  }

  /** Newest first; `before` is the createdAt of the last batch of the previous page. */
  async list(tenantId: string, limit: number, before?: Date): Promise<BatchRecord[]> {
    return this.db
      .select()
      .from(batches)
      .where(
        and(eq(batches.tenantId, tenantId), before ? lt(batches.createdAt, before) : undefined),
      )
      .orderBy(desc(batches.createdAt))
      .limit(limit);
  }
}
