/**
 * Audit trail writer and verifier. `recordAudit` must run inside the transaction of the change it
 * describes, so the entry exists exactly when the change does. Entries of a tenant form a hash
 * chain: hash = SHA-256(previous hash + canonical JSON of the entry).
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { auditHeads, auditLog } from '../db/schema.js';

export interface AuditContext {
  actorType: 'user' | 'api-key' | 'system';
  actorId: string | null;
  tenantId: string | null;
  requestId: string | null;
  ip: string | null;
}

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId: string | null;
  /** What changed; never secrets. */
  summary: Record<string, unknown>;
  /** The tenant the change belongs to, when the context has none (e.g. sign-in). */
  tenantId?: string | null;
}

export const SYSTEM_CONTEXT: AuditContext = {
  actorType: 'system',
  actorId: null,
  tenantId: null,
  requestId: null,
  ip: null,
};
const GENESIS = '0'.repeat(64);

/** The audit context of an HTTP request (after authentication, when there was one). */
export function requestAuditContext(request: FastifyRequest): AuditContext {
  const p = request.principal;
  return {
    actorType: p ? p.kind : request.userId ? 'user' : 'system',
    actorId: p ? (p.userId ?? p.apiKeyId) : (request.userId ?? null),
    tenantId: p?.tenantId ?? null,
    requestId: request.id,
    ip: request.ip,
  };
}

/** JSON with object keys sorted at every depth: the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface HashedFields {
  chain: string;
  tenantId: string | null;
  actorType: AuditContext['actorType'];
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  createdAt: Date;
}

function entryHash(prevHash: string, e: HashedFields): string {
  // Only the listed fields: a stored row also carries id, prevHash and hash.
  const fields: Record<keyof HashedFields, unknown> = {
    chain: e.chain,
    tenantId: e.tenantId,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    summary: e.summary,
    requestId: e.requestId,
    ip: e.ip,
    createdAt: e.createdAt.toISOString(),
  };
  const body = canonicalJson(fields);
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export async function recordAudit(
  tx: Database,
  ctx: AuditContext,
  event: AuditEvent,
): Promise<void> {
  const tenantId = event.tenantId !== undefined ? event.tenantId : ctx.tenantId;
  const chain = tenantId ?? 'system';
  await tx.insert(auditHeads).values({ chain, hash: GENESIS }).onConflictDoNothing();
  // Row lock on the chain head: appends to one chain happen one at a time, in order.
  const [head] = await tx
    .select()
    .from(auditHeads)
    .where(eq(auditHeads.chain, chain))
    .for('update');
  const fields: HashedFields = {
    chain,
    tenantId,
    actorType: ctx.actorType,
    actorId: ctx.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    summary: event.summary,
    requestId: ctx.requestId,
    ip: ctx.ip,
    createdAt: new Date(),
  };
  const hash = entryHash(head.hash, fields);
  await tx.insert(auditLog).values({ ...fields, prevHash: head.hash, hash });
  await tx.update(auditHeads).set({ hash }).where(eq(auditHeads.chain, chain));
}

export interface ChainReport {
  chains: number;
  entries: number;
  /** Entries whose stored or recomputed hash does not follow from the previous one. */
  broken: { id: number; chain: string; reason: string }[];
}

/** Walks every chain from its start, recomputing each hash; the head must match the last entry. */
export async function verifyAuditChains(db: Database): Promise<ChainReport> {
  const heads = await db.select().from(auditHeads);
  const report: ChainReport = { chains: heads.length, entries: 0, broken: [] };
  for (const head of heads) {
    let prev = GENESIS;
    let lastId = 0;
    for (;;) {
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.chain, head.chain), gt(auditLog.id, lastId)))
        .orderBy(asc(auditLog.id))
        .limit(1000);
      if (rows.length === 0) break;
      for (const row of rows) {
        report.entries++;
        const expected = entryHash(prev, row);
        if (row.prevHash !== prev)
          report.broken.push({
            id: row.id,
            chain: row.chain,
            reason: 'does not follow the previous entry (one was removed or inserted)',
          });
        else if (row.hash !== expected)
          report.broken.push({ id: row.id, chain: row.chain, reason: 'its content was changed' });
        prev = row.hash;
        lastId = row.id;
      }
    }
    if (prev !== head.hash)
      report.broken.push({
        id: lastId,
        chain: head.chain,
        reason: 'the chain ends before its recorded head (entries removed at the end)',
      });
  }
  return report;
}
