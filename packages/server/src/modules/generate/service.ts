/**
 * Stored codes: the file goes to object storage first, then its record and audit entry commit in
 * one transaction (an object without a record is removed again). Every read is scoped by tenant.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Principal } from '../../platform/auth/guard.js';
import type { Database } from '../../platform/db/database.js';
import type { ObjectStore, StoredObject } from '../../platform/storage/storage.js';
import type { Content } from './content.js';
import type { Rendered } from './render.js';
import { codes } from './schema.js';

export type CodeRow = typeof codes.$inferSelect;

export interface CodeFilters {
  type?: string;
  format?: string;
  createdBy?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export class CodeService {
  constructor(
    private readonly db: Database,
    private readonly store: ObjectStore,
  ) {}

  async save(
    principal: Principal,
    content: Content,
    rendered: Rendered,
    options: Record<string, unknown>,
    audit: AuditContext,
  ): Promise<CodeRow> {
    const id = randomUUID();
    const key = `${principal.tenantId}/codes/${id}.${rendered.extension}`;
    // Create-only: a fresh key, so an object already there could only be a bug's to keep.
    const object = await this.store.put(key, rendered.bytes, rendered.contentType, {
      ifAbsent: true,
    });
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(codes)
          .values({
            id,
            tenantId: principal.tenantId,
            createdByUser: principal.userId,
            createdByApiKey: principal.apiKeyId,
            payloadType: content.payloadType,
            content: content.text,
            summary: content.summary,
            format: rendered.extension,
            contentType: rendered.contentType,
            byteSize: object.size,
            sha256: object.sha256,
            storageKey: key,
            options,
          })
          .returning();
        await recordAudit(tx, audit, {
          action: 'code.create',
          targetType: 'code',
          targetId: id,
          summary: { type: content.payloadType, format: rendered.extension, size: object.size },
        });
        return row;
      });
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw error;
    }
  }

  async list(
    tenantId: string,
    f: CodeFilters,
  ): Promise<{ rows: CodeRow[]; nextCursor: string | null }> {
    const where: (SQL | undefined)[] = [eq(codes.tenantId, tenantId)];
    if (f.type) where.push(eq(codes.payloadType, f.type));
    if (f.format) where.push(eq(codes.format, f.format));
    if (f.createdBy)
      where.push(or(eq(codes.createdByUser, f.createdBy), eq(codes.createdByApiKey, f.createdBy)));
    if (f.from) where.push(gte(codes.createdAt, f.from));
    if (f.to) where.push(lte(codes.createdAt, f.to));
    const after = f.cursor ? decodeCursor(f.cursor) : undefined;
    if (after)
      where.push(
        or(
          lt(codes.createdAt, after.createdAt),
          and(eq(codes.createdAt, after.createdAt), lt(codes.id, after.id)),
        ),
      );
    const rows = await this.db
      .select()
      .from(codes)
      .where(and(...where))
      .orderBy(desc(codes.createdAt), desc(codes.id))
      .limit(f.limit + 1);
    const more = rows.length > f.limit;
    const page = rows.slice(0, f.limit);
    return { rows: page, nextCursor: more ? encodeCursor(page[page.length - 1]) : null };
  }

  async get(tenantId: string, id: string): Promise<CodeRow | undefined> {
    const [row] = await this.db
      .select()
      .from(codes)
      .where(and(eq(codes.tenantId, tenantId), eq(codes.id, id)));
    return row;
  }

  async open(row: CodeRow): Promise<StoredObject | undefined> {
    return this.store.get(row.storageKey);
  }

  /** Deletes the record (audited); the file goes after the commit. False when not found. */
  async remove(tenantId: string, id: string, audit: AuditContext): Promise<boolean> {
    const removed = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .delete(codes)
        .where(and(eq(codes.tenantId, tenantId), eq(codes.id, id)))
        .returning();
      if (row)
        await recordAudit(tx, audit, {
          action: 'code.delete',
          targetType: 'code',
          targetId: id,
          summary: { type: row.payloadType, format: row.format },
        });
      return row;
    });
    if (removed) await this.store.delete(removed.storageKey).catch(() => undefined);
    return Boolean(removed);
  }
}

function encodeCursor(row: CodeRow): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const [time, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) return undefined;
  return { createdAt, id };
}
