/**
 * Liveness (/health: the process answers) and readiness (/ready: every dependency answers, and
 * the process is not shutting down). Components add their own readiness checks.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is reachable; rejects (or times out) otherwise. */
  check: () => Promise<void>;
  /**
   * False for a dependency the process can serve without (the backup store): its failure makes
   * /ready answer 200 "degraded" instead of 503. Default true.
   */
  critical?: boolean;
}

export interface Health {
  addCheck(check: ReadinessCheck): void;
  /** From now on /ready answers 503 (first step of a graceful shutdown). */
  markShuttingDown(): void;
  /** Runs `listener` when the shutdown starts. */
  onShuttingDown(listener: () => void): void;
  isShuttingDown(): boolean;
}

const CHECK_TIMEOUT_MS = 2000;

const ReadyReply = Type.Object({
  status: Type.Union([
    Type.Literal('ready'),
    Type.Literal('degraded'),
    Type.Literal('unavailable'),
  ]),
  checks: Type.Record(
    Type.String(),
    Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) }),
  ),
});

export function registerHealth(app: FastifyInstance): Health {
  const checks: ReadinessCheck[] = [];
  const shutdownListeners: (() => void)[] = [];
  let shuttingDown = false;

  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness of the process and its dependencies',
        response: { 200: ReadyReply, 503: ReadyReply },
      },
    },
    async (_request, reply) => {
      const results: Record<string, { ok: boolean; error?: string }> = {};
      await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            results[name] = { ok: true };
          } catch (error) {
            results[name] = {
              ok: false,
              error: error instanceof Error ? error.message : String(error),
            };
          }
        }),
      );
      if (shuttingDown) results.process = { ok: false, error: 'shutting down' };
      const failed = Object.keys(results).filter((name) => !results[name].ok);
      const optional = new Set(checks.filter((c) => c.critical === false).map((c) => c.name));
      const ready = failed.every((name) => optional.has(name));
      const status = !ready ? 'unavailable' : failed.length ? 'degraded' : 'ready';
      return reply.code(ready ? 200 : 503).send({ status, checks: results });
    },
  );

  return {
    addCheck: (check) => checks.push(check),
    markShuttingDown: () => {
      shuttingDown = true;
      for (const listener of shutdownListeners) listener();
    },
    onShuttingDown: (listener) => void shutdownListeners.push(listener),
    isShuttingDown: () => shuttingDown,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
