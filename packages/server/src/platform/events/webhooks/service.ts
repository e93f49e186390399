/**
 * A tenant's webhook endpoints and their delivery log. The signing secret is shown once, when
 * the endpoint is created or its secret rotated, and stored sealed.
 */
import { and, count, desc, eq, lt, sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import { recordAudit, type AuditContext } from '../../audit/audit.js';
import type { SealedBox } from '../../auth/sealed-box.js';
import type { Database } from '../../db/database.js';
import { checkOutboundUrl, OutboundRefused } from '../../http/outbound.js';
import { knownFilter } from '../events.js';
import {
  domainEvents,
  webhookDeliveries,
  webhookEndpoints,
  type DeliveryStatus,
} from '../schema.js';
import { newWebhookSecret } from './signature.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

export interface EndpointInput {
  url?: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
}

export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly box: SealedBox,
    private readonly limits: { perTenant: number; allowPrivate: boolean },
  ) {}

  list(tenantId: string): Promise<EndpointRow[]> {
    return this.db
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.tenantId, tenantId))
      .orderBy(webhookEndpoints.createdAt);
  }

  async get(tenantId: string, id: string): Promise<EndpointRow> {
    const [row] = await this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)));
    if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No webhook ${id}`);
    return row;
  }

  async create(tenantId: string, input: EndpointInput & { url: string }, audit: AuditContext) {
    this.check(input);
    const secret = newWebhookSecret();
    const endpoint = await this.db.transaction(async (tx) => {
      // Counted under a lock on the tenant's endpoints, so two requests cannot both pass.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`webhooks:${tenantId}`}))`);
      const [{ n }] = await tx
        .select({ n: count() })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.tenantId, tenantId));
      if (n >= this.limits.perTenant)
        throw new AppError(
          'WEBHOOK_ERR_LIMIT',
          `A tenant may have ${this.limits.perTenant} webhooks (QRFORGE_WEBHOOKS_PER_TENANT); delete one first`,
        );
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({
          tenantId,
          url: input.url,
          description: input.description ?? '',
          eventTypes: input.eventTypes ?? [],
          enabled: input.enabled ?? true,
          secretSealed: this.box.seal(secret),
        })
        .returning();
      await recordAudit(tx, audit, {
        action: 'webhook.create',
        targetType: 'webhook',
        targetId: row.id,
        summary: { url: row.url, eventTypes: row.eventTypes },
      });
      return row;
    });
    return { endpoint, secret };
  }

  async update(tenantId: string, id: string, input: EndpointInput, audit: AuditContext) {
    this.check(input);
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhookEndpoints)
        .set({ ...input, updatedAt: new Date() })
        .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
        .returning();
      if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No webhook ${id}`);
      await recordAudit(tx, audit, {
        action: 'webhook.update',
        targetType: 'webhook',
        targetId: id,
        summary: { ...input },
      });
      return row;
    });
  }

  async rotateSecret(tenantId: string, id: string, audit: AuditContext) {
    const secret = newWebhookSecret();
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhookEndpoints)
        .set({ secretSealed: this.box.seal(secret), updatedAt: new Date() })
        .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
        .returning({ id: webhookEndpoints.id });
      if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No webhook ${id}`);
      await recordAudit(tx, audit, {
        action: 'webhook.rotate-secret',
        targetType: 'webhook',
        targetId: id,
        summary: {},
      });
    });
    return secret;
  }

  async remove(tenantId: string, id: string, audit: AuditContext) {
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .delete(webhookEndpoints)
        .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
        .returning({ url: webhookEndpoints.url });
      if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No webhook ${id}`);
      await recordAudit(tx, audit, {
        action: 'webhook.delete',
        targetType: 'webhook',
        targetId: id,
        summary: { url: row.url },
      });
    });
  }

  /** The endpoint's deliveries, newest first; `before` is the last page's oldest `createdAt`. */
  async deliveries(
    tenantId: string,
    endpointId: string,
    query: { status?: DeliveryStatus; limit: number; before?: string },
  ) {
    await this.get(tenantId, endpointId);
    return this.db
      .select({
        id: webhookDeliveries.id,
        eventId: webhookDeliveries.eventId,
        eventType: domainEvents.type,
        subject: domainEvents.subject,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        nextAttemptAt: webhookDeliveries.nextAttemptAt,
        lastAttemptAt: webhookDeliveries.lastAttemptAt,
        responseStatus: webhookDeliveries.responseStatus,
        responseMs: webhookDeliveries.responseMs,
        lastError: webhookDeliveries.lastError,
        createdAt: webhookDeliveries.createdAt,
      })
      .from(webhookDeliveries)
      .innerJoin(domainEvents, eq(domainEvents.id, webhookDeliveries.eventId))
      .where(
        and(
          eq(webhookDeliveries.tenantId, tenantId),
          eq(webhookDeliveries.endpointId, endpointId),
          query.status ? eq(webhookDeliveries.status, query.status) : undefined,
          query.before ? lt(webhookDeliveries.createdAt, new Date(query.before)) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(query.limit);
  }

  /** Sends a delivery again from now (a failed one gets a fresh set of attempts). */
  async retry(tenantId: string, deliveryId: string, audit: AuditContext) {
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhookDeliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date() })
        .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, deliveryId)))
        .returning({ endpointId: webhookDeliveries.endpointId });
      if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No delivery ${deliveryId}`);
      await recordAudit(tx, audit, {
        action: 'webhook.redeliver',
        targetType: 'webhook-delivery',
        targetId: deliveryId,
        summary: { endpointId: row.endpointId },
      });
    });
  }

  /** Queues a `webhook.test` event for this endpoint alone (not published to AMQP). */
  async test(tenantId: string, endpointId: string): Promise<string> {
    const endpoint = await this.get(tenantId, endpointId);
    return this.db.transaction(async (tx) => {
      const [event] = await tx
        .insert(domainEvents)
        .values({
          tenantId,
          type: 'webhook.test',
          subject: endpointId,
          data: { message: 'A test event from QR Forge', url: endpoint.url },
          fannedOutAt: new Date(),
          publishedAt: new Date(),
        })
        .returning({ id: domainEvents.id });
      const [delivery] = await tx
        .insert(webhookDeliveries)
        .values({ tenantId, endpointId, eventId: event.id })
        .returning({ id: webhookDeliveries.id });
      return delivery.id;
    });
  }

  /** URL form and filters; the address itself is checked again at each delivery (DNS changes). */
  private check(input: EndpointInput): void {
    if (input.url !== undefined) {
      try {
        checkOutboundUrl(input.url, this.limits.allowPrivate);
      } catch (error) {
        if (error instanceof OutboundRefused)
          throw new AppError('WEBHOOK_ERR_URL', error.message, { url: input.url });
        throw error;
      }
    }
    const unknown = (input.eventTypes ?? []).filter((t) => !knownFilter(t));
    if (unknown.length)
      throw new AppError(
        'WEBHOOK_ERR_EVENT_TYPE',
        `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
        { unknown },
      );
  }
}
