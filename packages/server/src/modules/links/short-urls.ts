/**
 * The short URLs of dynamic codes (`<base>/q/<slug>`), and the dynamic codes the generator makes:
 * one for a single code (`dynamic: true` on POST /api/v1/codes), one per row of a batch. Batch
 * codes are keyed by (batch, row), so a batch job that runs again after a crash finds the codes
 * it made instead of making them twice.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import type { TenantAddresses } from './addresses.js';
import { newSlug, targetProblem } from './codes.js';
import { dynamicCodes } from './schema.js';

/** Where scanners reach this server: the configured public URL, else the request's own origin. */
export function publicBase(config: Pick<Config, 'publicUrl'>, request: FastifyRequest): string {
  return config.publicUrl ?? `${request.protocol}://${request.host}`;
}

export const shortUrl = (base: string, slug: string) => `${base}/q/${slug}`;

/**
 * The address new dynamic codes of a tenant are printed with: the tenant's own domain or prefix
 * (its code base URL) when it chose one, else this server's public address.
 */
export async function shortBase(
  addresses: TenantAddresses,
  config: Pick<Config, 'publicUrl'>,
  request: FastifyRequest,
  tenantId: string,
): Promise<string> {
  return (await addresses.baseOf(tenantId)) ?? publicBase(config, request);
}

/** A dynamic code's default name: its target without the scheme, clipped. */
export function nameFor(target: string): string {
  const name = target.replace(/^https?:\/\//, '');
  return name.length > 200 ? `${name.slice(0, 199)}…` : name;
}

export interface BatchLinkRow {
  row: number;
  target: string;
  name?: string;
}

/**
 * Makes (or finds, on a rerun) the dynamic code of each row of a batch. Answers the slug per row,
 * or the reason a row's target cannot be a dynamic code's target.
 */
export async function batchDynamicCodes(
  db: Database,
  batch: { id: string; tenantId: string },
  rows: BatchLinkRow[],
  audit: AuditContext,
  baseUrl?: string,
): Promise<Map<number, { slug: string } | { error: string }>> {
  const result = new Map<number, { slug: string } | { error: string }>();
  const usable: BatchLinkRow[] = [];
  for (const row of rows) {
    const problem = targetProblem(row.target);
    if (problem) result.set(row.row, { error: `not a dynamic code target: ${problem}` });
    else usable.push(row);
  }
  if (!usable.length) return result;
  const numbers = usable.map((r) => r.row);
  await db.transaction(async (tx) => {
    const made = await tx
      .insert(dynamicCodes)
      .values(
        usable.map((row) => ({
          tenantId: batch.tenantId,
          slug: newSlug(),
          name: row.name || nameFor(row.target),
          target: row.target,
          baseUrl,
          createdBy: `${audit.actorType}:${audit.actorId ?? ''}`,
          batchId: batch.id,
          batchRow: row.row,
        })),
      )
      // Rows a previous run made already are left as they are (and possibly edited since).
      .onConflictDoNothing({ target: [dynamicCodes.batchId, dynamicCodes.batchRow] })
      .returning({ id: dynamicCodes.id });
    if (made.length)
      await recordAudit(tx, audit, {
        action: 'dynamic-code.create',
        targetType: 'batch',
        targetId: batch.id,
        summary: { count: made.length, firstRow: numbers[0], lastRow: numbers.at(-1) },
      });
  });
  const found = await db
    .select({ row: dynamicCodes.batchRow, slug: dynamicCodes.slug })
    .from(dynamicCodes)
    .where(
      and(
        eq(dynamicCodes.tenantId, batch.tenantId),
        eq(dynamicCodes.batchId, batch.id),
        inArray(dynamicCodes.batchRow, numbers),
      ),
    );
  for (const { row, slug } of found) result.set(row!, { slug });
  return result;
}
