/**
 * /api/v1/webhooks: a tenant's endpoints (admins manage them; the secret is shown once), their
 * delivery log, redelivery and a test event; /api/v1/events: the tenant's recent domain events.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, desc, eq, like, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requestAuditContext } from '../../audit/audit.js';
import type { Guard } from '../../auth/guard.js';
import type { SealedBox } from '../../auth/sealed-box.js';
import type { Database } from '../../db/database.js';
import { literals } from '../../http/literals.js';
import { PROBLEM_RESPONSES } from '../../http/problem-schema.js';
import { envelope, EVENT_TYPES } from '../events.js';
import { DELIVERY_STATUSES, domainEvents } from '../schema.js';
import { WebhookService, type EndpointRow } from './service.js';

const tags = ['webhooks'];
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: 50,
  description: `Event types or prefix.* patterns; empty or absent: every event. Known: ${EVENT_TYPES.join(', ')}`,
});
const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Partial(CreateBody, { additionalProperties: false, minProperties: 1 });
const Endpoint = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const WithSecret = Type.Intersect([
  Endpoint,
  Type.Object({
    secret: Type.String({ description: 'The whsec_ signing secret; shown only now' }),
  }),
]);
const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String(),
  eventType: Type.String(),
  subject: Nullable(Type.String()),
  status: literals(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  responseMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const Event = Type.Object({
  id: Type.String(),
  type: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  tenantId: Type.String(),
  subject: Nullable(Type.String()),
  data: Type.Unknown(),
});

export async function webhookRoutes(
  app: FastifyInstance,
  options: {
    db: Database;
    guard: Guard;
    box: SealedBox;
    limits: { perTenant: number; allowPrivate: boolean };
  },
): Promise<void> {
  const { db, guard } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const service = new WebhookService(db, options.box, options.limits);
  const view = (row: EndpointRow) => ({
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
  const admin = guard.role('admin');

  api.get(
    '/api/v1/webhooks',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: "The tenant's webhook endpoints",
        response: { 200: Type.Object({ webhooks: Type.Array(Endpoint) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => ({
      webhooks: (await service.list(request.principal!.tenantId)).map(view),
    }),
  );

  api.post(
    '/api/v1/webhooks',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Add a webhook endpoint; the answer holds its signing secret, shown only once',
        description:
          'Events are POSTed as JSON, signed as the Standard Webhooks specification says (headers webhook-id, webhook-timestamp, webhook-signature). Non-2xx answers are retried with back-off; redirects are not followed.',
        body: CreateBody,
        response: { 201: WithSecret, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await service.create(
        request.principal!.tenantId,
        request.body,
        requestAuditContext(request),
      );
      return reply.code(201).send({ ...view(endpoint), secret });
    },
  );

  api.get(
    '/api/v1/webhooks/:id',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'One webhook endpoint',
        params: IdParams,
        response: { 200: Endpoint, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => view(await service.get(request.principal!.tenantId, request.params.id)),
  );

  api.patch(
    '/api/v1/webhooks/:id',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Change the URL, description, event filter, or turn it off and on',
        params: IdParams,
        body: UpdateBody,
        response: { 200: Endpoint, ...PROBLEM_RESPONSES },
      },
    },
    async (request) =>
      view(
        await service.update(
          request.principal!.tenantId,
          request.params.id,
          request.body,
          requestAuditContext(request),
        ),
      ),
  );

  api.delete(
    '/api/v1/webhooks/:id',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Remove a webhook endpoint and its delivery log',
        params: IdParams,
        response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      await service.remove(
        request.principal!.tenantId,
        request.params.id,
        requestAuditContext(request),
      );
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Replace the signing secret; the new one is shown only now',
        params: IdParams,
        response: { 200: Type.Object({ secret: Type.String() }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => ({
      secret: await service.rotateSecret(
        request.principal!.tenantId,
        request.params.id,
        requestAuditContext(request),
      ),
    }),
  );

  api.post(
    '/api/v1/webhooks/:id/test',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Send a webhook.test event to this endpoint',
        params: IdParams,
        response: {
          202: Type.Object({ deliveryId: Type.String({ format: 'uuid' }) }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) =>
      reply.code(202).send({
        deliveryId: await service.test(request.principal!.tenantId, request.params.id),
      }),
  );

  api.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: "The endpoint's delivery log, newest first",
        params: IdParams,
        querystring: Type.Object(
          {
            status: Type.Optional(literals(DELIVERY_STATUSES)),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            before: Type.Optional(
              Type.String({ format: 'date-time', description: 'From nextBefore of the last page' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            deliveries: Type.Array(Delivery),
            nextBefore: Nullable(Type.String({ format: 'date-time' })),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const rows = await service.deliveries(
        request.principal!.tenantId,
        request.params.id,
        request.query,
      );
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      return {
        deliveries: rows.map((d) => ({
          ...d,
          eventId: `evt_${d.eventId}`,
          nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
          lastAttemptAt: iso(d.lastAttemptAt),
          createdAt: d.createdAt.toISOString(),
        })),
        nextBefore: rows.length === request.query.limit ? iso(rows.at(-1)!.createdAt) : null,
      };
    },
  );

  api.post(
    '/api/v1/webhooks/deliveries/:id/retry',
    {
      preValidation: admin,
      schema: {
        tags,
        summary: 'Send a delivery again now (a failed one gets a fresh set of attempts)',
        params: IdParams,
        response: { 202: Type.Object({ deliveryId: Type.String() }), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      await service.retry(
        request.principal!.tenantId,
        request.params.id,
        requestAuditContext(request),
      );
      return reply.code(202).send({ deliveryId: request.params.id });
    },
  );

  api.get(
    '/api/v1/events',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: "The tenant's domain events, newest first (kept QRFORGE_EVENT_RETENTION_DAYS)",
        querystring: Type.Object(
          {
            type: Type.Optional(
              Type.String({ maxLength: 100, description: 'An event type, or prefix.*' }),
            ),
            subject: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            cursor: Type.Optional(
              Type.Integer({ minimum: 1, description: 'Events older than this (nextCursor)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(Event),
            nextCursor: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const { type, subject, limit, cursor } = request.query;
      const rows = await db
        .select()
        .from(domainEvents)
        .where(
          and(
            eq(domainEvents.tenantId, request.principal!.tenantId),
            type?.endsWith('.*')
              ? like(domainEvents.type, `${type.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`)
              : type
                ? eq(domainEvents.type, type)
                : undefined,
            subject ? eq(domainEvents.subject, subject) : undefined,
            cursor ? lt(domainEvents.id, cursor) : undefined,
          ),
        )
        .orderBy(desc(domainEvents.id))
        .limit(limit);
      return {
        events: rows.map(envelope),
        nextCursor: rows.length === limit ? rows.at(-1)!.id : null,
      };
    },
  );
}
