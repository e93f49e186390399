/**
 * Recording domain events: called inside the transaction of the change, so the event and the
 * change commit together or not at all. Delivery (webhooks, AMQP) happens later, from the outbox.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { domainEvents } from './schema.js';

/** The event types modules emit; webhook filters are checked against them. */
export const EVENT_TYPES = [
  'items.created',
  'item.status.*',
  'inventory.low_stock',
  'inventory.stock_ok',
  'scan.session.closed',
  'item.code.forged',
  'item.warranty.registered',
  'recall.created',
  'webhook.test',
] as const;

export interface DomainEvent {
  type: string;
  subject?: string;
  data: Record<string, unknown>;
}

/** The JSON body a consumer receives, in a webhook and in an AMQP message alike. */
export interface EventEnvelope {
  id: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  subject: string | null;
  data: unknown;
}

export function envelope(row: {
  id: number;
  type: string;
  occurredAt: Date;
  tenantId: string;
  subject: string | null;
  data: unknown;
}): EventEnvelope {
  return {
    id: eventId(row.id),
    type: row.type,
    occurredAt: row.occurredAt.toISOString(),
    tenantId: row.tenantId,
    subject: row.subject,
    data: row.data,
  };
}

/** Consumers see `evt_<n>`: stable across retries and channels, so they can drop duplicates. */
export const eventId = (id: number) => `evt_${id}`;

/** Rows per INSERT: a bulk status change of a whole lot writes one event per item. */
const CHUNK = 1000;

export async function recordEvents(
  tx: Database,
  tenantId: string,
  events: DomainEvent[],
): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    // Three array parameters rather than a VALUES row per event (as items are inserted, see
    // inventory/generation.ts): a 10,000-item transition writes 10,000 events.
    await tx.execute(sql`
      insert into ${domainEvents} (tenant_id, type, subject, data)
      select ${tenantId}, e.type, e.subject, e.data
      from unnest(${sql.param(chunk.map((e) => e.type))}::text[],
                  ${sql.param(chunk.map((e) => e.subject ?? null))}::text[],
                  ${sql.param(chunk.map((e) => JSON.stringify(e.data)))}::jsonb[])
        as e(type, subject, data)`);
  }
}

/** True when `type` matches a filter entry: the exact type, or `prefix.*`. */
export function matchesFilter(type: string, filter: readonly string[]): boolean {
  if (!filter.length) return true;
  return filter.some((p) => p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** A webhook filter entry must name an event type we emit, or a pattern that can match one. */
export function knownFilter(pattern: string): boolean {
  return EVENT_TYPES.some(
    (t) =>
      t === pattern ||
      (t.endsWith('.*') && pattern.startsWith(t.slice(0, -1)) && !pattern.endsWith('*')) ||
      (pattern.endsWith('.*') && t.startsWith(pattern.slice(0, -1))),
  );
}
