/**
 * Low-stock alerts: after every status change, the types it touched are checked; an alert opens
 * when a type's `available` count falls below its minimum and resolves when it is back. The
 * metric `inventory_low_stock{type}` is read from the open alerts at scrape time, so every
 * process reports the same, current figure.
 */
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/events.js';
import { componentTypes, inventoryAlerts, items } from './schema.js';

/** Opens or resolves the low-stock alerts of these types; returns what changed. */
export async function checkStock(
  tx: Database,
  tenantId: string,
  typeCodes: string[],
  audit: AuditContext,
): Promise<{ opened: string[]; resolved: string[] }> {
  const changed = { opened: [] as string[], resolved: [] as string[] };
  if (!typeCodes.length) return changed;
  const types = await tx
    .select({ code: componentTypes.code, minStock: componentTypes.minStock })
    .from(componentTypes)
    .where(and(eq(componentTypes.tenantId, tenantId), inArray(componentTypes.code, typeCodes)));
  for (const type of types) {
    const [{ n }] = await tx
      .select({ n: count() })
      .from(items)
      .where(
        and(
          eq(items.tenantId, tenantId),
          eq(items.typeCode, type.code),
          eq(items.status, 'available'),
        ),
      );
    const available = Number(n);
    const [open] = await tx
      .select({ id: inventoryAlerts.id })
      .from(inventoryAlerts)
      .where(
        and(
          eq(inventoryAlerts.tenantId, tenantId),
          eq(inventoryAlerts.typeCode, type.code),
          eq(inventoryAlerts.kind, 'low_stock'),
          isNull(inventoryAlerts.resolvedAt),
        ),
      );
    if (available < type.minStock && !open) {
      const [alert] = await tx
        .insert(inventoryAlerts)
        .values({
          tenantId,
          typeCode: type.code,
          kind: 'low_stock',
          available,
          minimum: type.minStock,
        })
        .returning({ id: inventoryAlerts.id });
      const stock = { type: type.code, available, minimum: type.minStock };
      await reportAlert(tx, tenantId, audit, 'open', alert.id, stock);
      changed.opened.push(type.code);
    } else if (available >= type.minStock && open) {
      await tx
        .update(inventoryAlerts)
        .set({ resolvedAt: new Date(), available })
        .where(eq(inventoryAlerts.id, open.id));
      const stock = { type: type.code, available, minimum: type.minStock };
      await reportAlert(tx, tenantId, audit, 'resolve', open.id, stock);
      changed.resolved.push(type.code);
    }
  }
  return changed;
}

/** An alert opened or resolved: its audit entry and its domain event, in the same transaction. */
async function reportAlert(
  tx: Database,
  tenantId: string,
  audit: AuditContext,
  change: 'open' | 'resolve',
  alertId: string,
  stock: { type: string; available: number; minimum: number },
): Promise<void> {
  await recordAudit(tx, audit, {
    action: `alert.${change}`,
    targetType: 'alert',
    targetId: alertId,
    summary: { kind: 'low_stock', ...stock },
  });
  await recordEvents(tx, tenantId, [
    {
      type: change === 'open' ? 'inventory.low_stock' : 'inventory.stock_ok',
      subject: stock.type,
      data: { alertId, ...stock },
    },
  ]);
}

/** `inventory_low_stock{type}`: open low-stock alerts per component type, over all tenants. */
export function lowStockGauge(registry: Registry, db: Database): Gauge {
  return new Gauge({
    name: 'inventory_low_stock',
    help: 'Open low-stock alerts by component type (available below the type minimum)',
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ type: inventoryAlerts.typeCode, n: count() })
        .from(inventoryAlerts)
        .where(isNull(inventoryAlerts.resolvedAt))
        .groupBy(inventoryAlerts.typeCode);
      this.reset();
      for (const row of rows) this.set({ type: row.type }, Number(row.n));
    },
  });
}
