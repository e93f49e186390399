/**
 * CSV import, all or nothing, with a dry run that reports every bad row:
 *  - `status`: columns uid, status, and optionally location, reason — each row a status change,
 *    checked against the lifecycle from the item's current status;
 *  - `items`: columns uid, manufacturing_date, and optionally warranty_years, status, location —
 *    items made elsewhere. Type, vendor, lot and serial are read from the UID with the tenant's
 *    template (so every imported UID scans as ours); lots are created as needed and their next
 *    serial moved past the imported ones, so generation never issues an imported serial again.
 * Rows are checked in one transaction, under row locks for status changes; with any bad row
 * nothing is changed (422 listing them), and a dry run changes nothing either way.
 */
import { parse } from 'csv-parse/sync';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/events.js';
import { checkStock } from './alerts.js';
import { addYears } from './generation.js';
import { contentFor, type CodeContentSetting, type UidSigner } from './code-content.js';
import type { IdTemplate } from './ids/id-template.js';
import { canMove, ITEM_STATUSES, TRANSITIONS, type ItemStatus } from './lifecycle.js';
import { componentTypes, items, lots, vendors } from './schema.js';
import { MOVING_COLUMNS, moveItems, type MovingItem } from './service.js';

export const IMPORT_KINDS = ['status', 'items'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  status: { required: ['uid', 'status'], optional: ['location', 'reason'] },
  items: {
    required: ['uid', 'manufacturing_date'],
    optional: ['warranty_years', 'status', 'location'],
  },
};

export interface ImportProblem {
  /** Line in the file (the header is line 1). */
  line: number;
  uid: string | null;
  message: string;
}

export interface ImportReport {
  kind: ImportKind;
  dryRun: boolean;
  rows: number;
  valid: number;
  applied: number;
  problems: ImportProblem[];
}

interface Row {
  line: number;
  cells: Record<string, string>;
}

/** Thrown inside the transaction to roll it back, carrying the report. */
class Rejected extends Error {
  constructor(readonly report: ImportReport) {
    super('rejected');
  }
}

export function readImportCsv(text: string, kind: ImportKind, maxRows: number): Row[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse<{ record: Record<string, string>; info: { lines: number } }>(text, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      max_record_size: 64 * 1024,
    });
  } catch (error) {
    throw new AppError(
      'INVENTORY_ERR_IMPORT',
      `The CSV cannot be read: ${(error as Error).message}`,
    );
  }
  if (!records.length) throw new AppError('INVENTORY_ERR_IMPORT', 'The CSV has no rows');
  const header = Object.keys(records[0].record);
  const { required, optional } = COLUMNS[kind];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length)
    throw new AppError(
      'INVENTORY_ERR_IMPORT',
      `The CSV needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a ${kind} import takes ${[...required, ...optional].join(', ')})`,
    );
  const unknown = header.filter((c) => !required.includes(c) && !optional.includes(c));
  if (unknown.length)
    throw new AppError(
      'INVENTORY_ERR_IMPORT',
      `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a ${kind} import takes ${[...required, ...optional].join(', ')})`,
    );
  if (records.length > maxRows)
    throw new AppError(
      'INVENTORY_ERR_TOO_MANY',
      `The CSV has ${records.length} rows; the limit is ${maxRows} (QRFORGE_INVENTORY_MAX_COUNT)`,
    );
  return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
}

export async function importCsv(
  db: Database,
  tenantId: string,
  kind: ImportKind,
  rows: Row[],
  options: {
    dryRun: boolean;
    template: IdTemplate;
    content: CodeContentSetting;
    sign?: UidSigner;
    audit: AuditContext;
  },
): Promise<ImportReport> {
  const report: ImportReport = {
    kind,
    dryRun: options.dryRun,
    rows: rows.length,
    valid: 0,
    applied: 0,
    problems: [],
  };
  try {
    await db.transaction(async (tx) => {
      const touchedTypes =
        kind === 'status'
          ? await importStatus(tx, tenantId, rows, report, options)
          : await importItems(tx, tenantId, rows, report, options);
      report.problems.sort((x, y) => x.line - y.line);
      report.valid = rows.length - new Set(report.problems.map((p) => p.line)).size;
      if (report.problems.length || options.dryRun) throw new Rejected(report);
      report.applied = rows.length;
      await recordAudit(tx, options.audit, {
        action: `items.import-${kind}`,
        targetType: 'items',
        targetId: null,
        summary: { rows: rows.length },
      });
      await checkStock(tx, tenantId, [...touchedTypes], options.audit);
    });
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
  }
  if (report.problems.length && !options.dryRun)
    throw new AppError(
      'INVENTORY_ERR_IMPORT',
      `${report.problems.length} row${report.problems.length > 1 ? 's' : ''} cannot be imported; nothing was changed`,
      { ...report },
    );
  return report;
}

/** Reports repeated UIDs; returns the lines to skip (each repeat after the first). */
function duplicates(rows: Row[], report: ImportReport): Set<number> {
  const seen = new Map<string, number>();
  const repeats = new Set<number>();
  for (const row of rows) {
    const uid = row.cells.uid;
    const first = seen.get(uid);
    if (first === undefined || !uid) {
      seen.set(uid, row.line);
      continue;
    }
    report.problems.push({ line: row.line, uid, message: `${uid} is also on line ${first}` });
    repeats.add(row.line);
  }
  return repeats;
}

/** The status named, or (not a status) the message saying so. */
function statusOf(value: string | undefined, fallback?: ItemStatus): string {
  const status = (value || fallback || '').toLowerCase();
  return ITEM_STATUSES.includes(status as ItemStatus)
    ? status
    : `"${value ?? ''}" is not a status (${ITEM_STATUSES.join(', ')})`;
}

async function importStatus(
  tx: Database,
  tenantId: string,
  rows: Row[],
  report: ImportReport,
  options: { dryRun: boolean; audit: AuditContext },
): Promise<Set<string>> {
  const problem = (row: Row, message: string) =>
    report.problems.push({ line: row.line, uid: row.cells.uid || null, message });
  const repeats = duplicates(rows, report);
  const found = new Map<string, MovingItem>();
  const uids = rows.map((r) => r.cells.uid).filter(Boolean);
  for (let i = 0; i < uids.length; i += 1000) {
    const query = tx
      .select(MOVING_COLUMNS)
      .from(items)
      .where(and(eq(items.tenantId, tenantId), inArray(items.uid, uids.slice(i, i + 1000))));
    for (const item of await (options.dryRun ? query : query.for('update')))
      found.set(item.uid, item);
  }
  // Changes grouped by target status, location and reason: one update per group.
  const groups = new Map<
    string,
    { to: ItemStatus; location?: string; reason?: string; items: MovingItem[] }
  >();
  for (const row of rows) {
    if (repeats.has(row.line)) continue;
    const { uid, location, reason } = row.cells;
    const to = statusOf(row.cells.status);
    const item = found.get(uid);
    if (!uid) problem(row, 'uid is empty');
    else if (!item) problem(row, `No item ${uid}`);
    if (!ITEM_STATUSES.includes(to as ItemStatus)) problem(row, to);
    if (!item || !ITEM_STATUSES.includes(to as ItemStatus)) continue;
    const target = to as ItemStatus;
    if (!canMove(item.status, target)) {
      const allowed = TRANSITIONS[item.status];
      problem(
        row,
        `${uid} is ${item.status}; it can move to ${allowed.length ? allowed.join(', ') : 'nothing (final)'}, not ${target}`,
      );
      continue;
    }
    const key = JSON.stringify([target, location ?? null, reason ?? null]);
    let group = groups.get(key);
    if (!group)
      groups.set(
        key,
        (group = {
          to: target,
          ...(location ? { location } : {}),
          ...(reason ? { reason } : {}),
          items: [],
        }),
      );
    group.items.push(item);
  }
  if (report.problems.length || options.dryRun) return new Set();
  for (const group of groups.values())
    await moveItems(tx, tenantId, group.items, group.to, group, options.audit);
  return new Set([...found.values()].map((item) => item.typeCode));
}

async function importItems(
  tx: Database,
  tenantId: string,
  rows: Row[],
  report: ImportReport,
  options: { template: IdTemplate; content: CodeContentSetting; sign?: UidSigner },
): Promise<Set<string>> {
  const problem = (row: Row, message: string) =>
    report.problems.push({ line: row.line, uid: row.cells.uid || null, message });
  const repeats = duplicates(rows, report);
  const existing = new Set<string>();
  const uids = rows.map((r) => r.cells.uid).filter(Boolean);
  for (let i = 0; i < uids.length; i += 1000) {
    const found = await tx
      .select({ uid: items.uid })
      .from(items)
      .where(and(eq(items.tenantId, tenantId), inArray(items.uid, uids.slice(i, i + 1000))));
    for (const { uid } of found) existing.add(uid);
  }
  interface Good {
    uid: string;
    type: string;
    vendor: string;
    lot: string;
    serial: number;
    date: string;
    warranty: number;
    status: ItemStatus;
    location: string | null;
  }
  const good: Good[] = [];
  for (const row of rows) {
    if (repeats.has(row.line)) continue;
    const { uid, manufacturing_date: date, warranty_years: warrantyRaw, location } = row.cells;
    const before = report.problems.length;
    if (!uid) problem(row, 'uid is empty');
    else if (existing.has(uid)) problem(row, `${uid} exists already`);
    const parsed = uid ? options.template.parse(uid) : undefined;
    if (parsed && !parsed.ok) problem(row, parsed.reason);
    const parts = parsed?.ok ? parsed.parts : undefined;
    if (parts && (!parts.type || !parts.vendor || !parts.lot))
      problem(row, `the ID template ${options.template.template} has no type, vendor and lot`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? '') || Number.isNaN(Date.parse(date)))
      problem(row, `manufacturing_date "${date ?? ''}" is not a date (yyyy-mm-dd)`);
    const warranty = warrantyRaw ? Number(warrantyRaw) : 0;
    if (!Number.isInteger(warranty) || warranty < 0 || warranty > 50)
      problem(row, `warranty_years "${warrantyRaw}" is not a whole number of years (0-50)`);
    const status = statusOf(row.cells.status, 'generated');
    if (!ITEM_STATUSES.includes(status as ItemStatus)) problem(row, status);
    if (report.problems.length === before && parts)
      good.push({
        uid,
        type: parts.type!,
        vendor: parts.vendor!,
        lot: parts.lot!,
        serial: parts.serial,
        date,
        warranty,
        status: status as ItemStatus,
        location: location || null,
      });
  }
  if (report.problems.length) return new Set();
  const byLot = new Map<string, Good[]>();
  for (const g of good) {
    const key = JSON.stringify([g.type, g.vendor, g.lot]);
    const group = byLot.get(key);
    if (group) group.push(g);
    else byLot.set(key, [g]);
  }
  for (const group of byLot.values()) {
    const { type, vendor, lot: lotNumber, date } = group[0];
    const next = Math.max(...group.map((g) => g.serial)) + 1;
    await tx
      .insert(componentTypes)
      .values({ tenantId, code: type, name: type })
      .onConflictDoNothing();
    await tx.insert(vendors).values({ tenantId, code: vendor, name: vendor }).onConflictDoNothing();
    const [lot] = await tx
      .insert(lots)
      .values({
        tenantId,
        typeCode: type,
        vendorCode: vendor,
        lotNumber,
        manufacturingDate: date,
        nextSerial: next,
      })
      .onConflictDoUpdate({
        target: [lots.tenantId, lots.typeCode, lots.vendorCode, lots.lotNumber],
        set: { nextSerial: sql`greatest(${lots.nextSerial}, ${next})` },
      })
      .returning({ id: lots.id });
    const gtin = await gtinFor(tx, tenantId, type, options.content);
    for (let i = 0; i < group.length; i += 1000) {
      const chunk = group.slice(i, i + 1000);
      const contents = chunk.map((g) => contentFor(options.content, g, gtin, options.sign));
      await tx.execute(sql`
        insert into ${items} (tenant_id, uid, lot_id, type_code, vendor_code, lot_number, serial,
          manufacturing_date, warranty_years, warranty_expires, status, location, code_content)
        select ${tenantId}, r.uid, ${lot.id}, ${type}, ${vendor}, ${lotNumber}, r.serial,
          r.made, r.warranty, r.expires, r.status, r.location, r.content
        from unnest(${sql.param(chunk.map((g) => g.uid))}::text[],
                    ${sql.param(chunk.map((g) => g.serial))}::int[],
                    ${sql.param(chunk.map((g) => g.date))}::date[],
                    ${sql.param(chunk.map((g) => g.warranty))}::int[],
                    ${sql.param(chunk.map((g) => (g.warranty ? addYears(g.date, g.warranty) : null)))}::date[],
                    ${sql.param(chunk.map((g) => g.status))}::text[],
                    ${sql.param(chunk.map((g) => g.location))}::text[],
                    ${sql.param(contents)}::text[])
          as r(uid, serial, made, warranty, expires, status, location, content)`);
    }
    await recordEvents(tx, tenantId, [
      {
        type: 'items.created',
        subject: lot.id,
        data: {
          lotId: lot.id,
          type,
          vendor,
          lot: lotNumber,
          count: group.length,
          imported: true,
          firstUid: group[0].uid,
          lastUid: group.at(-1)!.uid,
        },
      },
    ]);
  }
  return new Set(good.map((g) => g.type));
}

/** The type's GTIN when codes are GS1 Digital Links (refused without one), else null. */
async function gtinFor(
  tx: Database,
  tenantId: string,
  type: string,
  content: CodeContentSetting,
): Promise<string | null> {
  if (content.mode !== 'gs1') return null;
  const [row] = await tx
    .select({ gtin: componentTypes.gtin })
    .from(componentTypes)
    .where(and(eq(componentTypes.tenantId, tenantId), eq(componentTypes.code, type)));
  if (!row?.gtin)
    throw new AppError(
      'INVENTORY_ERR_CODE_CONTENT',
      `Codes are GS1 Digital Links, so component type ${type} needs a GTIN first`,
    );
  return row.gtin;
}
