/**
 * Prometheus metrics with the names the seed documents give, on a registry per app (so several
 * apps in one test process never collide). `handler` is the route pattern, never the raw URL, so
 * label values stay bounded.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
}

const UNMATCHED = 'unmatched';

export function registerMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status code.',
    labelNames: ['method', 'handler', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method and route pattern.',
    labelNames: ['method', 'handler'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inProgress = new Gauge({
    name: 'http_requests_inprogress',
    help: 'HTTP requests being served, by method and route pattern.',
    labelNames: ['method', 'handler'] as const,
    registers: [registry],
  });

  const started = new WeakMap<object, { end: (labels?: { status: string }) => void }>();
  app.addHook('onRequest', async (request) => {
    const labels = { method: request.method, handler: request.routeOptions.url ?? UNMATCHED };
    inProgress.inc(labels);
    const stopTimer = duration.startTimer(labels);
    started.set(request, {
      end: (extra) => {
        stopTimer();
        inProgress.dec(labels);
        if (extra) requests.inc({ ...labels, status: extra.status });
      },
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    started.get(request)?.end({ status: String(reply.statusCode) });
    started.delete(request);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return { registry };
}
