/**
 * Prometheus metrics with the names the seed documents give, on a registry per app (so several
 * apps in one test process never collide). `handler` is the route pattern, never the raw URL, so
 * label values stay bounded.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Counts a request answered outside Fastify's hooks (the hot cache). */
  recordRequest?(method: string, handler: string, status: number, seconds: number): void;
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

  // Label sets are few (method x route pattern x status), so their children are looked up once
  // and kept: prom-client hashes and validates the labels on every call otherwise, which cost
  // 17 % of the requests/s of a small route (/tmp ablation with autocannon, see ADR 0002).
  type Route = {
    inProgress: ReturnType<typeof inProgress.labels>;
    duration: ReturnType<typeof duration.labels>;
    byStatus: Map<number, ReturnType<typeof requests.labels>>;
    method: string;
    handler: string;
  };
  const routes = new Map<string, Route>();
  const routeOf = (method: string, handler: string): Route => {
    const key = `${method} ${handler}`;
    let route = routes.get(key);
    if (!route)
      routes.set(
        key,
        (route = {
          inProgress: inProgress.labels(method, handler),
          duration: duration.labels(method, handler),
          byStatus: new Map(),
          method,
          handler,
        }),
      );
    return route;
  };
  const started = new WeakMap<object, { route: Route; at: bigint }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = routeOf(request.method, request.routeOptions.url ?? UNMATCHED);
    route.inProgress.inc();
    started.set(request, { route, at: process.hrtime.bigint() });
    done();
  });
  const finished = (route: Route, status: number, seconds: number) => {
    route.duration.observe(seconds);
    let counter = route.byStatus.get(status);
    if (!counter)
      route.byStatus.set(
        status,
        (counter = requests.labels(route.method, route.handler, String(status))),
      );
    counter.inc();
  };
  app.addHook('onResponse', (request, reply, done) => {
    const start = started.get(request);
    if (start) {
      const { route, at } = start;
      route.inProgress.dec();
      finished(route, reply.statusCode, Number(process.hrtime.bigint() - at) / 1e9);
      started.delete(request);
    }
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return {
    registry,
    recordRequest: (method, handler, status, seconds) =>
      finished(routeOf(method, handler), status, seconds),
  };
}
