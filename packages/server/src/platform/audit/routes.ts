/**
 * GET /api/v1/audit: the tenant's audit trail, newest first, filtered and paginated by cursor; as
 * CSV with `format=csv`. Admins only.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Guard } from '../auth/guard.js';
import type { Database } from '../db/database.js';
import { auditLog } from '../db/schema.js';
import { PROBLEM_RESPONSES } from '../http/problem-schema.js';
import { csvRow } from './csv.js';

export const AUDIT_PAGE_MAX = 1000;

const Query = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100 }),
    cursor: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Return entries older than this ID (from nextCursor)',
      }),
    ),
    format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
  },
  { additionalProperties: false },
);

const Entry = Type.Object({
  id: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});

const COLUMNS = [
  'id',
  'time',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'summary',
  'requestId',
  'ip',
  'hash',
] as const;

export async function auditRoutes(
  app: FastifyInstance,
  { db, guard }: { db: Database; guard: Guard },
): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/audit',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags: ['audit'],
        summary: "The tenant's audit trail, newest first (CSV with format=csv)",
        querystring: Query,
        response: {
          200: {
            description: 'Entries (JSON), or the same as CSV with format=csv',
            content: {
              'application/json': {
                schema: Type.Object({
                  entries: Type.Array(Entry),
                  nextCursor: Type.Union([Type.Integer(), Type.Null()]),
                }),
              },
              'text/csv': { schema: Type.String() },
            },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const where: SQL[] = [eq(auditLog.tenantId, request.principal!.tenantId)];
      if (q.action) where.push(eq(auditLog.action, q.action));
      if (q.actorId) where.push(eq(auditLog.actorId, q.actorId));
      if (q.targetId) where.push(eq(auditLog.targetId, q.targetId));
      if (q.from) where.push(gte(auditLog.createdAt, new Date(q.from)));
      if (q.to) where.push(lte(auditLog.createdAt, new Date(q.to)));
      if (q.cursor) where.push(lt(auditLog.id, q.cursor));
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(q.limit);
      const entries = rows.map((r) => ({
        id: r.id,
        time: r.createdAt.toISOString(),
        actorType: r.actorType,
        actorId: r.actorId,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        summary: r.summary,
        requestId: r.requestId,
        ip: r.ip,
        hash: r.hash,
      }));
      const nextCursor = rows.length === q.limit ? rows[rows.length - 1].id : null;
      if (q.format === 'csv') {
        if (nextCursor) reply.header('x-next-cursor', String(nextCursor));
        reply.header('content-disposition', 'attachment; filename="audit.csv"');
        return reply
          .type('text/csv; charset=utf-8')
          .send(
            csvRow([...COLUMNS]) + entries.map((e) => csvRow(COLUMNS.map((c) => e[c]))).join(''),
          );
      }
      return { entries, nextCursor };
    },
  );
}
