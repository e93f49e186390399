/**
 * Inventory analytics, computed in the database per request: counts by status, type, vendor or
 * lot; items made and status changes per day; scrap rate per lot; warranty expiries per month.
 */
import { and, asc, count, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.js';
import { itemEvents, items } from './schema.js';

export const COUNT_BY = ['status', 'type', 'vendor', 'lot'] as const;
export type CountBy = (typeof COUNT_BY)[number];

const COLUMNS = {
  status: items.status,
  type: items.typeCode,
  vendor: items.vendorCode,
  lot: items.lotNumber,
} as const;

export async function countsBy(db: Database, tenantId: string, by: CountBy) {
  const column = COLUMNS[by];
  const rows = await db
    .select({ key: column, count: count() })
    .from(items)
    .where(eq(items.tenantId, tenantId))
    .groupBy(column)
    .orderBy(desc(count()), asc(column));
  return rows.map((r) => ({ key: String(r.key), count: Number(r.count) }));
}

/** Per day over the last `days` days (UTC): items made, and status changes by target status. */
export async function throughput(db: Database, tenantId: string, days: number, now = new Date()) {
  const since = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + 1),
  );
  const made = await db
    .select({
      day: sql<string>`to_char(${items.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
      count: count(),
    })
    .from(items)
    .where(and(eq(items.tenantId, tenantId), gte(items.createdAt, since)))
    .groupBy(sql`1`);
  const moved = await db
    .select({
      day: sql<string>`to_char(${itemEvents.at} at time zone 'UTC', 'YYYY-MM-DD')`,
      status: itemEvents.toStatus,
      count: count(),
    })
    .from(itemEvents)
    .where(
      and(
        eq(itemEvents.tenantId, tenantId),
        eq(itemEvents.kind, 'status'),
        gte(itemEvents.at, since),
      ),
    )
    .groupBy(sql`1`, itemEvents.toStatus);
  const result = [];
  for (let i = 0; i < days; i++) {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const changes: Record<string, number> = {};
    for (const m of moved) if (m.day === day && m.status) changes[m.status] = Number(m.count);
    result.push({
      day,
      made: Number(made.find((m) => m.day === day)?.count ?? 0),
      moved: changes,
    });
  }
  return result;
}

/** Per lot: items, scrapped, and the scrap rate, worst first. */
export async function scrapRate(db: Database, tenantId: string) {
  const rows = await db
    .select({
      lot: items.lotNumber,
      type: items.typeCode,
      vendor: items.vendorCode,
      items: count(),
      scrapped: sql<number>`count(*) filter (where ${items.status} = 'scrapped')`,
    })
    .from(items)
    .where(eq(items.tenantId, tenantId))
    .groupBy(items.lotNumber, items.typeCode, items.vendorCode);
  return rows
    .map((r) => ({
      lot: r.lot,
      type: r.type,
      vendor: r.vendor,
      items: Number(r.items),
      scrapped: Number(r.scrapped),
      rate: Number(r.items) ? Number(r.scrapped) / Number(r.items) : 0,
    }))
    .sort((a, b) => b.rate - a.rate || a.lot.localeCompare(b.lot));
}

/** Warranty expiries per month for the next `months` months, starting with this one. */
export async function warrantyExpiries(
  db: Database,
  tenantId: string,
  months: number,
  now = new Date(),
) {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const rows = await db
    .select({
      month: sql<string>`to_char(${items.warrantyExpires}, 'YYYY-MM')`,
      count: count(),
    })
    .from(items)
    .where(
      and(
        eq(items.tenantId, tenantId),
        gte(items.warrantyExpires, day(first)),
        lt(items.warrantyExpires, day(end)),
      ),
    )
    .groupBy(sql`1`);
  return Array.from({ length: months }, (_, i) => {
    const month = day(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + i, 1))).slice(
      0,
      7,
    );
    return { month, count: Number(rows.find((r) => r.month === month)?.count ?? 0) };
  });
}
