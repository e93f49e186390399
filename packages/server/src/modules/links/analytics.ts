/**
 * Scan analytics from the scan events: totals (scans, distinct visitors per day, bots), scans per
 * day, breakdowns by device, browser, language, country and result, and the first and last scan
 * of each item — for one dynamic code, one lot, one item, or the whole tenant, over a period.
 */
import { and, count, desc, eq, gte, lt, max, min, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.js';
import { linkScans } from './schema.js';

export interface ScanFilter {
  codeId?: string;
  lot?: string;
  itemUid?: string;
  from?: string;
  to?: string;
  /** Bots are left out unless asked for. */
  bots?: boolean;
}

export function scanConditions(tenantId: string, filter: ScanFilter): SQL {
  return and(
    eq(linkScans.tenantId, tenantId),
    filter.codeId ? eq(linkScans.codeId, filter.codeId) : undefined,
    filter.lot ? eq(linkScans.lot, filter.lot) : undefined,
    filter.itemUid ? eq(linkScans.itemUid, filter.itemUid) : undefined,
    filter.from ? gte(linkScans.at, new Date(filter.from)) : undefined,
    filter.to ? lt(linkScans.at, new Date(filter.to)) : undefined,
    filter.bots ? undefined : eq(linkScans.bot, false),
  )!;
}

const BREAKDOWN_LIMIT = 20;

export async function scanAnalytics(db: Database, tenantId: string, filter: ScanFilter) {
  const where = scanConditions(tenantId, filter);
  const breakdown = async (
    column: 'device' | 'browser' | 'language' | 'country' | 'result',
  ): Promise<{ key: string; scans: number }[]> =>
    (
      await db
        .select({ key: sql<string | null>`${linkScans[column]}`, scans: count() })
        .from(linkScans)
        .where(where)
        .groupBy(linkScans[column])
        .orderBy(desc(count()))
        .limit(BREAKDOWN_LIMIT)
    ).map((r) => ({ key: r.key ?? 'unknown', scans: Number(r.scans) }));
  const day = sql<string>`to_char(${linkScans.at} at time zone 'UTC', 'YYYY-MM-DD')`;
  const [totals] = await db
    .select({
      scans: count(),
      visitors: sql<number>`count(distinct (${day}, ${linkScans.visitor}))::int`,
      first: min(linkScans.at),
      last: max(linkScans.at),
    })
    .from(linkScans)
    .where(where);
  const [bots] = await db
    .select({ n: count() })
    .from(linkScans)
    .where(and(scanConditions(tenantId, { ...filter, bots: true }), eq(linkScans.bot, true)));
  const byDay = await db
    .select({ day, scans: count() })
    .from(linkScans)
    .where(where)
    .groupBy(day)
    .orderBy(day);
  const items = await db
    .select({
      uid: linkScans.itemUid,
      scans: count(),
      first: min(linkScans.at),
      last: max(linkScans.at),
    })
    .from(linkScans)
    .where(and(where, sql`${linkScans.itemUid} is not null`))
    .groupBy(linkScans.itemUid)
    .orderBy(desc(max(linkScans.at)))
    .limit(100);
  return {
    scans: Number(totals.scans),
    visitors: Number(totals.visitors),
    bots: Number(bots.n),
    firstScan: totals.first?.toISOString() ?? null,
    lastScan: totals.last?.toISOString() ?? null,
    byDay: byDay.map((r) => ({ day: r.day, scans: Number(r.scans) })),
    byDevice: await breakdown('device'),
    byBrowser: await breakdown('browser'),
    byLanguage: await breakdown('language'),
    byCountry: await breakdown('country'),
    byResult: await breakdown('result'),
    items: items.map((r) => ({
      uid: r.uid!,
      scans: Number(r.scans),
      firstScan: r.first!.toISOString(),
      lastScan: r.last!.toISOString(),
    })),
  };
}
