/**
 * Batch records: creating one stores its input, enqueues the job and records the batch with its
 * audit entry; reads are scoped by tenant.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt } from 'drizzle-orm';
import { recordAudit, type AuditContext } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/auth/guard.js';
import type { Database } from '../../../platform/db/database.js';
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
  ) {}

  async create(
    principal: Principal,
    input: { bytes: Uint8Array; source: string; rowCount: number },
    options: BatchOptions,
    audit: AuditContext,
  ): Promise<BatchRecord> {
    const id = randomUUID();
    const inputKey = `${principal.tenantId}/batches/${id}/input.${options.kind}`;
    await this.store.put(inputKey, input.bytes, options.kind === 'csv' ? 'text/csv' : 'text/plain');
    const jobId = randomUUID();
    const batch = await this.db.transaction(async (tx) => {
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
    });
    // After the commit, so the job always finds its batch.
    await this.queue.enqueue(principal.tenantId, BATCH_JOB, { batchId: id }, { id: jobId });
    return batch;
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
