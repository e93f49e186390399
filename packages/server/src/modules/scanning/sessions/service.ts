/**
 * Scan sessions: open one (optionally expecting a lot, a serial range, a list or a shipment),
 * classify scans as they arrive, summarise, and close — moving every `ok` item to the session's
 * target status in one transaction, on each item's timeline and in the audit trail.
 *
 * Scans of one session are classified one submission at a time (the session row is locked), so
 * two phones scanning the same part at once give one `ok` and one `duplicate`.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import { recordAudit, type AuditContext } from '../../../platform/audit/audit.js';
import type { Database } from '../../../platform/db/database.js';
import { rowsOf } from '../../../platform/db/rows.js';
import { recordEvents } from '../../../platform/events/events.js';
import { checkStock } from '../../inventory/alerts.js';
import type { IdTemplate } from '../../inventory/ids/id-template.js';
import { canMove, TRANSITIONS, type ItemStatus } from '../../inventory/lifecycle.js';
import { componentTypes, items } from '../../inventory/schema.js';
import { MOVING_COLUMNS, moveItems } from '../../inventory/service.js';
import {
  SCAN_RESULTS,
  scans,
  scanSessionItems,
  scanSessions,
  type ScanResult,
  type SCAN_SOURCES,
} from '../schema.js';
import { classify, readReference, type CodeReference } from './classify.js';

export type ExpectedSet =
  | { kind: 'lot'; lot: string; type?: string; vendor?: string }
  | { kind: 'range'; lot: string; type?: string; vendor?: string; from: number; to: number }
  | { kind: 'list'; uids: string[] }
  | { kind: 'shipment'; reference: string; uids: string[] };

export interface ScanInput {
  text: string;
  /** The client's ID for this scan; resending it returns the first answer. */
  clientId?: string;
  /** When it was read (ISO 8601); default now. */
  scannedAt?: string;
  source?: (typeof SCAN_SOURCES)[number];
}

export type SessionRow = typeof scanSessions.$inferSelect;
type ScanRow = typeof scans.$inferSelect;

export interface SessionSummary {
  scans: number;
  /** Items in the expected set; null when the session expects nothing in particular. */
  expected: number | null;
  /** Expected items scanned at least once. */
  found: number | null;
  missing: number | null;
  byResult: Record<ScanResult, number>;
}

/** Problems listed in a refusal, at most. */
const LISTED = 100;

export class ScanSessionService {
  constructor(
    private readonly db: Database,
    private readonly templateOf: (tenantId: string) => Promise<IdTemplate>,
    private readonly limits: { maxExpected: number; maxBatch: number },
  ) {}

  async open(
    tenantId: string,
    input: { name: string; expected?: ExpectedSet; targetStatus?: ItemStatus },
    audit: AuditContext,
  ): Promise<SessionRow> {
    return this.db.transaction(async (tx) => {
      const [session] = await tx
        .insert(scanSessions)
        .values({
          tenantId,
          name: input.name,
          operator: `${audit.actorType}:${audit.actorId ?? ''}`,
          expected: input.expected ?? null,
          targetStatus: input.targetStatus ?? null,
        })
        .returning();
      if (input.expected) await this.resolveExpected(tx, tenantId, session.id, input.expected);
      await recordAudit(tx, audit, {
        action: 'scan-session.open',
        targetType: 'scan-session',
        targetId: session.id,
        summary: {
          name: input.name,
          expected: input.expected?.kind ?? null,
          targetStatus: input.targetStatus ?? null,
        },
      });
      return session;
    });
  }

  /** The expected set as rows of the session, in one INSERT ... SELECT; capped. */
  private async resolveExpected(
    tx: Database,
    tenantId: string,
    sessionId: string,
    expected: ExpectedSet,
  ) {
    const max = this.limits.maxExpected;
    if ((expected.kind === 'list' || expected.kind === 'shipment') && expected.uids.length > max)
      throw tooManyExpected(expected.uids.length, max);
    if (expected.kind === 'range' && expected.from > expected.to)
      throw new AppError(
        'SCAN_ERR_EXPECTED',
        `The serial range ${expected.from}-${expected.to} is upside down`,
      );
    const where =
      expected.kind === 'list' || expected.kind === 'shipment'
        ? sql`${items.uid} = any(${sql.param([...new Set(expected.uids)])}::text[])`
        : sql.join(
            [
              sql`${items.lotNumber} = ${expected.lot}`,
              expected.type ? sql`${items.typeCode} = ${expected.type}` : undefined,
              expected.vendor ? sql`${items.vendorCode} = ${expected.vendor}` : undefined,
              expected.kind === 'range'
                ? sql`${items.serial} between ${expected.from} and ${expected.to}`
                : undefined,
            ].filter((part) => part !== undefined),
            sql` and `,
          );
    const inserted = rowsOf<{ uid: string }>(
      await tx.execute(sql`
        with added as (
          insert into ${scanSessionItems} (session_id, item_id)
          select ${sessionId}, ${items.id} from ${items}
          where ${items.tenantId} = ${tenantId} and ${where}
          limit ${max + 1}
          returning item_id)
        select ${items.uid} as uid from added join ${items} on ${items.id} = added.item_id`),
    );
    if (inserted.length > max) throw tooManyExpected(`more than ${max}`, max);
    if (expected.kind === 'list' || expected.kind === 'shipment') {
      const known = new Set(inserted.map((row) => row.uid));
      const unknown = [...new Set(expected.uids)].filter((uid) => !known.has(uid));
      if (unknown.length)
        throw new AppError(
          'SCAN_ERR_EXPECTED',
          `${unknown.length} expected UID${unknown.length > 1 ? 's are' : ' is'} not in the inventory: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
          { unknown: unknown.slice(0, LISTED) },
        );
    } else if (!inserted.length)
      throw new AppError('SCAN_ERR_EXPECTED', `No items match the ${expected.kind} given`);
  }

  async get(tenantId: string, id: string): Promise<SessionRow> {
    const [session] = await this.db
      .select()
      .from(scanSessions)
      .where(and(eq(scanSessions.tenantId, tenantId), eq(scanSessions.id, id)));
    if (!session) throw new AppError('HTTP_ERR_NOT_FOUND', `No scan session ${id}`);
    return session;
  }

  async list(tenantId: string, status: 'open' | 'closed' | undefined, limit: number) {
    return this.db
      .select()
      .from(scanSessions)
      .where(
        and(
          eq(scanSessions.tenantId, tenantId),
          status ? eq(scanSessions.status, status) : undefined,
        ),
      )
      .orderBy(desc(scanSessions.createdAt))
      .limit(limit);
  }

  /**
   * Classifies and records scans. A scan whose client ID the session has seen returns its first
   * answer (a phone resending after a lost connection changes nothing).
   */
  async submit(tenantId: string, sessionId: string, inputs: ScanInput[]) {
    if (inputs.length > this.limits.maxBatch)
      throw new AppError(
        'SCAN_ERR_TOO_MANY',
        `${inputs.length} scans in one submission; the limit is ${this.limits.maxBatch} (QRFORGE_SCAN_BATCH_MAX)`,
      );
    const template = await this.templateOf(tenantId);
    return this.db.transaction(async (tx) => {
      const session = await lockOpen(tx, tenantId, sessionId);
      const withIds = inputs.map((input) => ({
        ...input,
        clientId: input.clientId ?? randomUUID(),
      }));
      const earlier = await tx
        .select()
        .from(scans)
        .where(
          and(
            eq(scans.sessionId, sessionId),
            inArray(
              scans.clientId,
              withIds.map((input) => input.clientId),
            ),
          ),
        );
      const answered = new Map(earlier.map((row) => [row.clientId, row]));
      const fresh = withIds.filter(
        (input, i) =>
          !answered.has(input.clientId) &&
          withIds.findIndex((other) => other.clientId === input.clientId) === i,
      );
      const references = fresh.map((input) => readReference(input.text, template));
      const found = await this.findItems(tx, tenantId, references);
      const itemIds = [...new Set([...found.values()].map((item) => item.id))];
      const seen = new Set(
        itemIds.length
          ? (
              await tx
                .selectDistinct({ itemId: scans.itemId })
                .from(scans)
                .where(and(eq(scans.sessionId, sessionId), inArray(scans.itemId, itemIds)))
            ).map((row) => row.itemId)
          : [],
      );
      const expected =
        session.expected === null
          ? undefined
          : new Set(
              itemIds.length
                ? (
                    await tx
                      .select({ itemId: scanSessionItems.itemId })
                      .from(scanSessionItems)
                      .where(
                        and(
                          eq(scanSessionItems.sessionId, sessionId),
                          inArray(scanSessionItems.itemId, itemIds),
                        ),
                      )
                  ).map((row) => row.itemId)
                : [],
            );
      const now = new Date();
      const rows = fresh.map((input, i) => {
        const reference = references[i];
        const item = found.get(referenceKey(reference));
        const { result, detail } = classify({
          invalid: reference.kind === 'invalid' ? reference.reason : undefined,
          item,
          seenBefore: item ? seen.has(item.id) : false,
          expected: item && expected ? expected.has(item.id) : undefined,
          target: session.targetStatus,
        });
        if (item) seen.add(item.id);
        return {
          sessionId,
          tenantId,
          clientId: input.clientId,
          text: input.text,
          uid: item?.uid ?? (reference.kind === 'uid' ? reference.uid : null),
          itemId: item?.id ?? null,
          result,
          detail,
          source: input.source ?? 'api',
          scannedAt: input.scannedAt ? new Date(input.scannedAt) : now,
        };
      });
      const inserted = rows.length ? await tx.insert(scans).values(rows).returning() : [];
      for (const row of inserted) answered.set(row.clientId, row);
      return withIds.map((input) => {
        const row = answered.get(input.clientId)!;
        const item = row.itemId ? [...found.values()].find((f) => f.id === row.itemId) : undefined;
        return { ...scanView(row), status: item?.status ?? null, type: item?.typeCode ?? null };
      });
    });
  }

  /** The items the references name, keyed by referenceKey. */
  private async findItems(tx: Database, tenantId: string, references: CodeReference[]) {
    const found = new Map<
      string,
      { id: string; uid: string; status: ItemStatus; typeCode: string }
    >();
    const columns = {
      id: items.id,
      uid: items.uid,
      status: items.status,
      typeCode: items.typeCode,
    };
    const uids = references.flatMap((r) => (r.kind === 'uid' ? [r.uid] : []));
    if (uids.length) {
      const rows = await tx
        .select(columns)
        .from(items)
        .where(and(eq(items.tenantId, tenantId), inArray(items.uid, [...new Set(uids)])));
      for (const row of rows) found.set(`uid:${row.uid}`, row);
    }
    // GS1 Digital Links name the type by its GTIN, then the lot and serial.
    for (const reference of references) {
      if (reference.kind !== 'gs1') continue;
      const [row] = await tx
        .select(columns)
        .from(items)
        .innerJoin(
          componentTypes,
          and(eq(componentTypes.tenantId, items.tenantId), eq(componentTypes.code, items.typeCode)),
        )
        .where(
          and(
            eq(items.tenantId, tenantId),
            sql`ltrim(${componentTypes.gtin}, '0') = ltrim(${reference.gtin}, '0')`,
            eq(items.lotNumber, reference.lot),
            eq(items.serial, reference.serial),
          ),
        )
        .limit(1);
      if (row) found.set(referenceKey(reference), row);
    }
    return found;
  }

  summary(sessionId: string, hasExpected: boolean): Promise<SessionSummary> {
    return summarise(this.db, sessionId, hasExpected);
  }

  async scans(sessionId: string, query: { result?: ScanResult; after?: number; limit: number }) {
    const rows = await this.db
      .select()
      .from(scans)
      .where(
        and(
          eq(scans.sessionId, sessionId),
          query.result ? eq(scans.result, query.result) : undefined,
          query.after ? gt(scans.id, query.after) : undefined,
        ),
      )
      .orderBy(asc(scans.id))
      .limit(query.limit);
    return rows.map(scanView);
  }

  /** Expected items not scanned yet, by UID. */
  async missing(sessionId: string, limit: number) {
    return rowsOf<{ uid: string; status: ItemStatus }>(
      await this.db.execute(sql`
        select i.uid, i.status from ${scanSessionItems} e join ${items} i on i.id = e.item_id
        where e.session_id = ${sessionId}
          and not exists (select 1 from ${scans} s where s.session_id = e.session_id and s.item_id = e.item_id)
        order by i.uid limit ${limit}`),
    );
  }

  /**
   * Closes the session. With `apply` and a target status, every `ok` item moves to it in the same
   * transaction; if any of them can no longer make the move (changed since it was scanned),
   * nothing changes and the 409 names them.
   */
  async close(
    tenantId: string,
    sessionId: string,
    options: { apply: boolean; location?: string; reason?: string },
    audit: AuditContext,
  ) {
    return this.db.transaction(async (tx) => {
      const session = await lockOpen(tx, tenantId, sessionId);
      const target = options.apply ? session.targetStatus : null;
      let moved = 0;
      if (target) {
        const okItems = tx
          .selectDistinct({ itemId: scans.itemId })
          .from(scans)
          .where(and(eq(scans.sessionId, sessionId), eq(scans.result, 'ok')));
        const ready = await tx
          .select(MOVING_COLUMNS)
          .from(items)
          .where(and(eq(items.tenantId, tenantId), inArray(items.id, okItems)))
          .for('update');
        const conflicts = ready.filter((item) => !canMove(item.status, target));
        if (conflicts.length)
          throw new AppError(
            'INVENTORY_ERR_TRANSITION',
            `${conflicts.length} of ${ready.length} scanned items cannot move to ${target} any more; nothing was changed and the session stays open`,
            {
              conflicts: conflicts.slice(0, LISTED).map((item) => ({
                uid: item.uid,
                status: item.status,
                allowed: TRANSITIONS[item.status],
              })),
            },
          );
        if (ready.length) {
          await moveItems(
            tx,
            tenantId,
            ready,
            target,
            {
              reason: options.reason ?? `scan session "${session.name}"`,
              location: options.location,
              context: { scanSession: session.id },
            },
            audit,
          );
          await checkStock(tx, tenantId, [...new Set(ready.map((item) => item.typeCode))], audit);
        }
        moved = ready.length;
      }
      const summary = await summarise(tx, sessionId, session.expected !== null);
      const closing = { summary, moved, to: target };
      const [closed] = await tx
        .update(scanSessions)
        .set({ status: 'closed', closedAt: new Date(), closing })
        .where(eq(scanSessions.id, sessionId))
        .returning();
      await recordAudit(tx, audit, {
        action: 'scan-session.close',
        targetType: 'scan-session',
        targetId: sessionId,
        summary: { name: session.name, moved, to: target, ...summary },
      });
      await recordEvents(tx, tenantId, [
        {
          type: 'scan.session.closed',
          subject: sessionId,
          data: { id: sessionId, name: session.name, moved, to: target, summary },
        },
      ]);
      return closed;
    });
  }
}

/** Counts by result, and the expected set's found and missing. */
async function summarise(
  db: Database,
  sessionId: string,
  hasExpected: boolean,
): Promise<SessionSummary> {
  const byResult = Object.fromEntries(SCAN_RESULTS.map((r) => [r, 0])) as Record<
    ScanResult,
    number
  >;
  const counts = await db
    .select({ result: scans.result, n: count() })
    .from(scans)
    .where(eq(scans.sessionId, sessionId))
    .groupBy(scans.result);
  for (const { result, n } of counts) byResult[result] = n;
  const total = counts.reduce((sum, { n }) => sum + n, 0);
  if (!hasExpected) return { scans: total, expected: null, found: null, missing: null, byResult };
  const [row] = rowsOf<{ expected: number; found: number }>(
    await db.execute(sql`
      select (select count(*)::int from ${scanSessionItems} where session_id = ${sessionId}) as expected,
             (select count(distinct e.item_id)::int from ${scanSessionItems} e
                join ${scans} s on s.session_id = e.session_id and s.item_id = e.item_id
               where e.session_id = ${sessionId}) as found`),
  );
  return {
    scans: total,
    expected: row.expected,
    found: row.found,
    missing: row.expected - row.found,
    byResult,
  };
}

async function lockOpen(tx: Database, tenantId: string, sessionId: string): Promise<SessionRow> {
  const [session] = await tx
    .select()
    .from(scanSessions)
    .where(and(eq(scanSessions.tenantId, tenantId), eq(scanSessions.id, sessionId)))
    .for('update');
  if (!session) throw new AppError('HTTP_ERR_NOT_FOUND', `No scan session ${sessionId}`);
  if (session.status !== 'open')
    throw new AppError(
      'SCAN_ERR_SESSION_CLOSED',
      `Scan session "${session.name}" was closed at ${session.closedAt?.toISOString()}`,
    );
  return session;
}

function referenceKey(reference: CodeReference): string {
  switch (reference.kind) {
    case 'uid':
      return `uid:${reference.uid}`;
    case 'gs1':
      return `gs1:${reference.gtin.replace(/^0+/, '')}/${reference.lot}/${reference.serial}`;
    case 'invalid':
      return 'invalid';
  }
}

function tooManyExpected(count: number | string, max: number) {
  return new AppError(
    'SCAN_ERR_TOO_MANY',
    `The expected set has ${count} items; the limit is ${max} (QRFORGE_SCAN_SESSION_MAX_EXPECTED)`,
  );
}

export function scanView(row: ScanRow) {
  return {
    id: row.id,
    clientId: row.clientId,
    text: row.text,
    uid: row.uid,
    result: row.result,
    detail: row.detail,
    source: row.source,
    scannedAt: row.scannedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
  };
}
