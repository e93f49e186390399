/**
 * Job status for callers: GET /api/v1/jobs/:id, a server-sent-events stream of its progress, and
 * cancel. Jobs of another tenant answer 404.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { recordAudit, requestAuditContext } from '../audit/audit.js';
import type { Guard } from '../auth/guard.js';
import { PROBLEM_RESPONSES } from '../http/problem-schema.js';
import { isTerminal, type JobQueue, type JobRecord } from './queue.js';

export interface JobRoutesOptions {
  queue: JobQueue;
  guard: Guard;
  /** How often the event stream looks for changes. */
  pollMs?: number;
  /** Longest an event stream stays open. */
  maxStreamMs?: number;
}

export const JobSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
  ]),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  result: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const Params = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export function jobView(job: JobRecord) {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    progress: job.progress,
    result: job.result,
    error: job.error,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

export async function jobRoutes(
  app: FastifyInstance,
  { queue, guard, pollMs = 500, maxStreamMs = 600_000 }: JobRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Open event streams end when the server starts closing, or they would hold shutdown open
  // until its deadline; clients reconnect to another instance (EventSource does so by itself).
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  const find = async (tenantId: string, id: string) => {
    const job = await queue.get(tenantId, id);
    if (!job) throw new AppError('HTTP_ERR_NOT_FOUND', `No job ${id}`);
    return job;
  };

  api.get(
    '/api/v1/jobs/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['jobs'],
        summary: 'A job: status, progress, result',
        params: Params,
        response: { 200: JobSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => jobView(await find(request.principal!.tenantId, request.params.id)),
  );

  api.get(
    '/api/v1/jobs/:id/events',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['jobs'],
        summary: 'Server-sent events: one `job` event per change until the job finishes',
        params: Params,
        response: {
          200: {
            description: 'text/event-stream of JSON job objects',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      let job = await find(tenantId, request.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      let closed = false;
      let wake = () => undefined as void;
      const stop = () => {
        closed = true;
        wake();
      };
      request.raw.on('close', stop);
      streams.add(stop);
      const send = (j: JobRecord) =>
        res.write(`event: job\ndata: ${JSON.stringify(jobView(j))}\n\n`);
      send(job);
      const end = Date.now() + maxStreamMs;
      let last = `${job.status}:${job.progress}`;
      while (!closed && !isTerminal(job.status) && Date.now() < end) {
        await new Promise<void>((r) => {
          const timer = setTimeout(r, pollMs);
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        if (closed) break;
        const next = await queue.get(tenantId, job.id);
        if (!next) break;
        job = next;
        const now = `${job.status}:${job.progress}`;
        if (now !== last) send(job);
        last = now;
      }
      streams.delete(stop);
      res.end();
    },
  );

  api.post(
    '/api/v1/jobs/:id/cancel',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a queued or running job',
        params: Params,
        response: { 202: JobSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const job = await find(tenantId, request.params.id);
      const ctx = requestAuditContext(request);
      const changed = await queue.cancel(tenantId, job.id, (tx) =>
        recordAudit(tx, ctx, {
          action: 'job.cancel',
          targetType: 'job',
          targetId: job.id,
          summary: { type: job.type, status: job.status },
        }),
      );
      if (!changed)
        throw new AppError(
          'JOB_ERR_FINISHED',
          `Job ${job.id} has already finished (${job.status})`,
        );
      return reply.code(202).send(jobView((await queue.get(tenantId, job.id))!));
    },
  );
}
