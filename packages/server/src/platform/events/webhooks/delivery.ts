/**
 * Webhook delivery from the outbox, in two steps any process may run:
 *  - fan-out: new events become one delivery row per matching endpoint (one statement);
 *  - delivery: due rows are claimed with a lease, POSTed signed, and marked succeeded, or
 *    rescheduled with back-off (first retry after QRFORGE_WEBHOOK_RETRY_MS, four times longer
 *    each time, at most 6 hours, ±20 % jitter), or failed after the last attempt.
 * A receiver may see an event twice (a process dying after the POST and before the mark); the
 * `webhook-id` header is the event's ID, the same on every attempt, so it can drop repeats.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/rows.js';
import type { SealedBox } from '../../auth/sealed-box.js';
import { postOutbound, type OutboundOptions } from '../../http/outbound.js';
import { envelope, eventId } from '../events.js';
import { domainEvents, webhookDeliveries, webhookEndpoints } from '../schema.js';
import { signatureHeaders } from './signature.js';
import { API_VERSION } from '../../../version.js';

export interface DeliveryOptions extends OutboundOptions {
  maxAttempts: number;
  /** Delay before the first retry; each later one is 4x longer. */
  firstRetryMs: number;
}

/** A claimed delivery is left alone by other processes for this long (beyond the timeout). */
const LEASE_MS = 30_000;
const MAX_DELAY_MS = 6 * 3600_000;

export function retryDelayMs(attempts: number, firstRetryMs: number, random = Math.random()) {
  const base = Math.min(MAX_DELAY_MS, firstRetryMs * 4 ** (attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

/** Turns up to `limit` new events into deliveries; returns how many events it took. */
export async function fanOut(db: Database, limit = 500): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    with batch as (
      select id from ${domainEvents} where fanned_out_at is null
      order by id limit ${limit} for update skip locked
    ), marked as (
      update ${domainEvents} e set fanned_out_at = now() from batch where e.id = batch.id
      returning e.id, e.tenant_id, e.type
    ), inserted as (
      insert into ${webhookDeliveries} (tenant_id, endpoint_id, event_id)
      select m.tenant_id, w.id, m.id from marked m
      join ${webhookEndpoints} w on w.tenant_id = m.tenant_id and w.enabled
      where m.type <> 'webhook.test' and (cardinality(w.event_types) = 0 or exists (
        select 1 from unnest(w.event_types) p
        where p = m.type or (right(p, 2) = '.*' and left(m.type, length(p) - 1) = left(p, -1))))
      on conflict do nothing
      returning 1
    )
    select (select count(*) from marked)::int as n`);
  return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
}

interface Claimed {
  id: string;
  attempts: number;
  url: string;
  secretSealed: string;
  eventId: number;
  type: string;
  subject: string | null;
  data: unknown;
  occurredAt: Date;
  tenantId: string;
}

/** Claims and sends up to `limit` due deliveries, in parallel; returns how many were tried. */
export async function deliverDue(
  db: Database,
  box: SealedBox,
  options: DeliveryOptions,
  limit = 20,
  onResult?: (result: 'succeeded' | 'retrying' | 'failed') => void,
): Promise<number> {
  const leaseMs = options.timeoutMs + LEASE_MS;
  const claimed = rowsOf<Omit<Claimed, 'eventId'> & { eventId: string }>(
    // The event ID as text: node-postgres answers bigint as a string, PGlite as a number.
    await db.execute<Omit<Claimed, 'eventId'> & { eventId: string }>(sql`
      with due as (
        select id from ${webhookDeliveries}
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at limit ${limit} for update skip locked
      ), leased as (
        update ${webhookDeliveries} d
        set next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
        from due where d.id = due.id
        returning d.id, d.attempts, d.endpoint_id, d.event_id
      )
      select l.id, l.attempts, w.url, w.secret_sealed as "secretSealed", e.id::text as "eventId",
        e.type, e.subject, e.data, e.occurred_at as "occurredAt", e.tenant_id as "tenantId"
      from leased l
      join ${webhookEndpoints} w on w.id = l.endpoint_id
      join ${domainEvents} e on e.id = l.event_id`),
  );
  await Promise.all(
    claimed.map(async (row) => {
      const result = await attempt(db, box, options, {
        ...row,
        eventId: Number(row.eventId),
        occurredAt: new Date(row.occurredAt),
      });
      onResult?.(result);
    }),
  );
  return claimed.length;
}

async function attempt(
  db: Database,
  box: SealedBox,
  options: DeliveryOptions,
  row: Claimed,
): Promise<'succeeded' | 'retrying' | 'failed'> {
  const body = JSON.stringify(envelope({ ...row, id: row.eventId }));
  const attempts = row.attempts + 1;
  let status: number | null = null;
  let ms: number | null = null;
  let error: string | null = null;
  try {
    const headers = {
      'content-type': 'application/json',
      'user-agent': `QRForge-Webhooks/${API_VERSION}`,
      ...signatureHeaders(box.open(row.secretSealed), eventId(row.eventId), body),
    };
    const answer = await postOutbound(row.url, headers, body, options);
    status = answer.status;
    ms = answer.ms;
    if (status < 200 || status > 299)
      error =
        status >= 300 && status < 400
          ? `HTTP ${status}: redirects are not followed; register the final URL`
          : `HTTP ${status}${answer.body ? `: ${answer.body.slice(0, 500)}` : ''}`;
  } catch (e) {
    error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
  }
  const result =
    error === null ? 'succeeded' : attempts >= options.maxAttempts ? 'failed' : 'retrying';
  await db
    .update(webhookDeliveries)
    .set({
      attempts,
      status: result === 'retrying' ? 'pending' : result,
      lastAttemptAt: new Date(),
      responseStatus: status,
      responseMs: ms,
      lastError: error,
      nextAttemptAt:
        result === 'retrying'
          ? new Date(Date.now() + retryDelayMs(attempts, options.firstRetryMs))
          : new Date(),
    })
    .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.status, 'pending')));
  return result;
}
