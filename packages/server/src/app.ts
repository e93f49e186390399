/**
 * Builds the Fastify application from a Config: security headers, CORS allow-list, limits, request
 * IDs, problem+json errors, metrics, health, OpenAPI and Swagger UI. No `listen` here, so tests
 * drive it with `inject()`; main.ts serves it.
 */
import { Flags } from './platform/flags/flags.js';
import { flagRoutes } from './platform/flags/routes.js';
import { buildValidator } from './platform/http/validators.js';
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import zlib from 'node:zlib';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import {
  registerNotFound,
  registerProblemHandlers,
  sendProblem,
} from './platform/http/problem-handler.js';
import { registerHealth, type Health } from './platform/observability/health.js';
import { registerMetrics, type Metrics } from './platform/observability/metrics.js';
import type { DatabaseHandle } from './platform/db/database.js';
import { AccessTokens } from './platform/auth/access-tokens.js';
import { Guard } from './platform/auth/guard.js';
import { enterRequestScope } from './platform/db/tenant-scope.js';
import { LoginThrottle } from './platform/auth/login-throttle.js';
import { loadSigningSecret } from './platform/auth/secrets.js';
import { accountRoutes } from './platform/accounts/routes.js';
import { auditRoutes } from './platform/audit/routes.js';
import { EmbeddedQueue } from './platform/queue/embedded.js';
import type { JobHandlers, JobQueue } from './platform/queue/queue.js';
import {
  backgrounds,
  enabledModules,
  jobHandlers,
  type Background,
  type DomainModule,
  type ModuleContext,
} from './modules/registry.js';
import { databaseMetrics } from './platform/db/metrics.js';
import { trustProxy } from './platform/http/client-ip.js';
import { idempotencyKeysPlugin } from './platform/http/idempotency.js';
import { refuseUnstorableText } from './platform/http/storable-text.js';
import { refuseUndeclaredBodyTypes } from './platform/http/content-types.js';
import { noStoreForSecrets } from './platform/http/no-store.js';
import { completeContract, declareRouteAccess } from './platform/http/openapi-contract.js';
import { queueGauges } from './platform/queue/metrics.js';
import { jobRoutes } from './platform/queue/routes.js';
import { EventRelay, webhookSecrets } from './platform/events/relay.js';
import { webhookRoutes } from './platform/events/webhooks/routes.js';
import { AccountService } from './platform/accounts/service.js';
import { ProblemSchema } from './platform/http/problem-schema.js';
import { registerRateLimit } from './platform/http/rate-limit.js';
import { SecurityHeaders } from './platform/http/security-headers.js';
import { registerCaDownload } from './platform/tls/routes.js';
import { DownloadLinks } from './platform/storage/download-links.js';
import { HotCache } from './platform/http/hot-cache.js';
import { registerWebPage } from './platform/http/web-page.js';
import { storageMetrics } from './platform/storage/metrics.js';
import { openStorage, type Storage } from './platform/storage/setup.js';
import type { ObjectStore } from './platform/storage/storage.js';
import type { Redis } from 'ioredis';
import { FastPaths } from './platform/http/fast-paths.js';

import { API_VERSION } from './version.js';

export { API_VERSION };

export interface AppDependencies {
  database?: DatabaseHandle;
  /** Job queue; default: the embedded queue on the database. */
  queue?: JobQueue;
  /** Shared Redis (rate limits); the caller owns and closes it. */
  redis?: Redis;
  /** Object storage; default: STORAGE_PRIMARY (the data folder). */
  storage?: ObjectStore;
  /** The domain modules this build has; QRFORGE_MODULES picks among them. */
  modules?: DomainModule[];
  /** Folder of the built web page; default apps/web/dist; false: API only. */
  webRoot?: string | false;
}

export interface App {
  server: FastifyInstance;
  health: Health;
  metrics: Metrics;
  /** Present when the app has a database. */
  accounts?: AccountService;
  queue?: JobQueue;
  /** Handlers of the served modules' job types, for whoever runs the queue. */
  jobHandlers: JobHandlers;
  /** Sends webhooks and AMQP messages from the event outbox; started where jobs run. */
  relay?: EventRelay;
  /** The modules' background work (the engraving runner); started where jobs run. */
  background: Background[];
  /** The request handler, hot cache and fast paths first: for a second (HTTPS) listener. */
  requestListener: RequestListener;
}

/** Query parameters that are credentials: signed render and download links, presigned URLs. */
const SECRET_PARAMS = /([?&](?:sig|signature|token|key|x-amz-signature|x-amz-credential)=)[^&#]*/gi;

/** What a request's log line says of it: Fastify's fields, with signatures in the URL masked. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url.replace(SECRET_PARAMS, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** An incoming X-Request-Id is kept when it is short and plain (no log injection), else replaced. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
}

export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<App> {
  const modules = enabledModules(config, deps.modules);
  const trust = trustProxy(config.trustProxy);
  /** What the HTTP server calls per request; main.ts gives it to the HTTPS server too. */
  let requestListener: RequestListener = () => undefined;
  const securityHeaders = new SecurityHeaders(
    {
      defaultSrc: ["'self'"],
      // Swagger UI at /docs needs its own inline style; everything else stays strict.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      // WebAssembly (the web page's in-browser decoder) needs wasm-unsafe-eval; no JS eval.
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
    },
    trust,
  );
  // Answers hot hits before Fastify (see hot-cache.ts); counted in the request metrics below.
  const hotCache = new HotCache(
    config.hotCacheBytes,
    (method, handler, status, seconds) => metrics.recordRequest?.(method, handler, status, seconds),
    securityHeaders,
  );
  const fastPaths = new FastPaths(securityHeaders);
  const server = Fastify({
    trustProxy: trust || undefined,
    serverFactory: (handler) => {
      // Node checks request and header timeouts every connectionsCheckingInterval (30 s by
      // default): a slow client would hold its socket that long past the limit.
      const checkEvery = Math.max(250, Math.min(1000, config.requestTimeoutMs / 2));
      requestListener = (request, response) => {
        if (!hotCache.serve(request, response) && !fastPaths.serve(request, response))
          handler(request, response);
      };
      const http = createServer({ connectionsCheckingInterval: checkEvery }, requestListener);
      // What Fastify sets on the servers it creates itself.
      http.keepAliveTimeout = 72_000;
      http.requestTimeout = config.requestTimeoutMs;
      http.headersTimeout = Math.min(http.headersTimeout, config.requestTimeoutMs);
      http.setTimeout(config.requestTimeoutMs);
      return http;
    },
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
      serializers: { req: requestForLog },
    },
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    requestIdHeader: false,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    // While draining, requests that already reached us are served (the load balancer has stopped
    // sending new ones once /ready said 503); their connections are then closed (see onSend).
    return503OnClosing: false,
    // The router's own refusals (bad percent-encoding, a path segment past maxParamLength) as
    // problems like every other, without echoing the path back (found by the hostile corpus).
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        void sendProblem(
          reply,
          request,
          'HTTP_ERR_URI_TOO_LONG',
          'A path segment is longer than 100 characters',
        );
      else if (error.code === 'FST_ERR_BAD_URL')
        void sendProblem(
          reply,
          request,
          'VALIDATION_ERR_REQUEST',
          'The path is not valid percent-encoded UTF-8',
        );
      else {
        request.log.error({ err: error }, 'router error');
        void sendProblem(
          reply,
          request,
          'SERVER_ERR_INTERNAL',
          'An internal error occurred; the request ID identifies it in the logs.',
        );
      }
    },
    schemaController: {
      // Typed by Fastify as a plain Ajv compile; it is called with the route, as validators.ts has.
      compilersFactory: { buildValidator: buildValidator as never },
    },
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
        discriminator: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // On PostgreSQL, every request's queries start unscoped and the auth guard narrows them to the
  // caller's tenant (row-level security, platform/db/tenant-scope.ts). preValidation rather than
  // onRequest: body parsing may run outside the context, and the guards are preValidation hooks
  // after this one. Not on PGlite, whose superuser skips the policies: the scope's
  // AsyncLocalStorage costs every promise of the process (ADR 0013).
  if (deps.database?.engine === 'postgres')
    server.addHook('preValidation', (_request, _reply, done) => enterRequestScope(done));
  registerProblemHandlers(server);
  refuseUndeclaredBodyTypes(server);
  declareRouteAccess(server);
  noStoreForSecrets(server);
  refuseUnstorableText(server);
  const metrics = registerMetrics(server);

  securityHeaders.register(server);
  await server.register(cors, {
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    credentials: true,
    exposedHeaders: ['x-request-id', 'etag', 'retry-after', 'idempotent-replayed'],
  });
  await server.register(underPressure, {
    maxEventLoopDelay: 2000,
    pressureHandler: (request, reply, type, value) => {
      void sendProblem(
        reply,
        request,
        'SERVER_ERR_UNAVAILABLE',
        `Server under pressure (${type}: ${value}); retry shortly.`,
      );
    },
  });

  await registerRateLimit(server, {
    max: config.rateLimitMax,
    windowMs: config.rateLimitWindowSeconds * 1000,
    redis: deps.redis,
  });
  // JSON (and other text) answers over 1 KiB, compressed per request; brotli at quality 4, not
  // the default 11, which costs ~10x the CPU for a few per cent. Not PNG, ZIP or PDF (not
  // compressible by type), nor the server-sent events (hijacked), nor the precompressed assets.
  await server.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  // The web page at / (apps/web/dist); page routes fall back to its index.html.
  const pageFallback =
    deps.webRoot === false ? undefined : await registerWebPage(server, deps.webRoot);
  registerNotFound(server, server.rateLimit(), pageFallback);

  await server.register(swagger, {
    transformObject: (document) =>
      completeContract(
        (document as { openapiObject: Record<string, unknown> }).openapiObject,
      ) as never,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'QR Forge API',
        version: API_VERSION,
        description:
          'Generate, track, engrave and scan QR codes. Errors are RFC 9457 problem+json with a stable `code`.',
        contact: { name: 'The operator of this QR Forge installation' },
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Swagger UI at /docs is given the address it was opened by (transformSpecification below).
      servers: [
        {
          url: '{origin}',
          description: 'Where this QR Forge runs',
          variables: { origin: { default: 'http://localhost:8000' } },
        },
      ],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'auth', description: 'Sign-in, tokens, password' },
        { name: 'users', description: "The tenant's users and roles" },
        { name: 'api-keys', description: "The tenant's API keys" },
        { name: 'audit', description: 'Hash-chained audit trail' },
        { name: 'jobs', description: 'Long-running work: status, progress, cancel' },
        { name: 'storage', description: 'Signed download links for stored files' },
        { name: 'features', description: 'Feature flags in force for the tenant' },
        {
          name: 'webhooks',
          description: 'Domain events: webhook endpoints, delivery log, recent events',
        },
        ...modules.flatMap((m) => m.tags ?? []),
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  server.addSchema(ProblemSchema);
  await server.register(swaggerUi, {
    routePrefix: '/docs',
    // "Try it out" calls the server the page came from (a LAN name, a proxy's https address).
    transformSpecification: (document, request) => ({
      ...document,
      servers: [{ url: `${request.protocol}://${request.host}` }],
    }),
  });
  server.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  registerCaDownload(server, config.dataDir);
  const health = registerHealth(server);
  health.onShuttingDown(() => {
    hotCache.disable();
    fastPaths.disable();
  });
  // Once shutting down, end keep-alive connections after each response so close() can finish.
  server.addHook('onSend', async (_request, reply) => {
    if (health.isShuttingDown()) reply.header('connection', 'close');
  });
  if (deps.redis) {
    const redis = deps.redis;
    health.addCheck({ name: 'redis', check: async () => void (await redis.ping()) });
  }
  let accounts: AccountService | undefined;
  let queue: JobQueue | undefined;
  let jobs: JobHandlers = {};
  let relay: EventRelay | undefined;
  let background: Background[] = [];
  const flags = await Flags.open({
    file: config.flagsFile,
    log: (message) => server.log.warn(message),
  });
  server.addHook('onClose', async () => flags.close());
  if (deps.database) {
    const database = deps.database;
    health.addCheck({ name: 'database', check: () => database.ping() });
    databaseMetrics(metrics.registry, database);
    const secret = loadSigningSecret(config.jwtSecret, config.dataDir);
    const tokens = new AccessTokens(secret, config.accessTokenTtlSeconds);
    accounts = new AccountService(database.db, tokens, config.refreshTokenTtlDays * 86_400_000);
    const throttle = new LoginThrottle({
      maxFailures: config.loginMaxFailures,
      windowMs: config.loginWindowSeconds * 1000,
    });
    const guard = new Guard(tokens, accounts);
    idempotencyKeysPlugin(server, database.db, { ttlHours: config.idempotencyTtlHours });
    await server.register(accountRoutes, { accounts, guard, throttle });
    await server.register(auditRoutes, { db: database.db, guard });
    await server.register(flagRoutes, { flags, guard });
    queue =
      deps.queue ??
      new EmbeddedQueue(database.db, {
        concurrency: config.workerConcurrency,
        leaseMs: config.jobLeaseMs,
      });
    await server.register(jobRoutes, { queue, guard });
    queueGauges(metrics.registry, database.db);
    await server.register(webhookRoutes, {
      db: database.db,
      guard,
      box: webhookSecrets(secret),
      limits: { perTenant: config.webhooksPerTenant, allowPrivate: config.webhookAllowPrivate },
    });
    relay = EventRelay.fromConfig(config, database.db, secret, metrics.registry, (message, error) =>
      server.log.warn({ err: error }, message),
    );
    if (relay.amqp) {
      const amqp = relay.amqp;
      health.addCheck({
        name: 'amqp',
        critical: false,
        check: async () => {
          const status = amqp.status();
          if (status.lastError) throw new Error(status.lastError);
        },
      });
    }
    server.addHook('onClose', async () => relay?.stop());
    const { store: storage, replicated }: Storage = deps.storage
      ? { store: storageMetrics(metrics.registry)(deps.storage) }
      : await openStorage(config, database.db, metrics.registry, server.log);
    health.addCheck({ name: 'storage', check: () => storage.ping() });
    const downloads = new DownloadLinks(storage, secret, config.downloadUrlTtlSeconds);
    downloads.routes(server);
    if (replicated) {
      health.addCheck({
        name: 'storage-backup',
        critical: false,
        check: () => replicated.degraded(),
      });
      server.addHook('onReady', async () => replicated.start(config.storageReplicationIntervalMs));
      server.addHook('onClose', async () => replicated.stop());
    }
    const context: ModuleContext = {
      config,
      database,
      queue,
      storage,
      downloads,
      hotCache,
      fastPaths,
      metrics,
      secret,
      flags,
      redis: deps.redis,
    };
    for (const module of modules) {
      if (module.routes)
        await server.register(async (app) => module.routes!(app, { ...context, guard }));
    }
    jobs = jobHandlers(modules, context);
    background = backgrounds(modules, context);
    server.addHook('onClose', async () => {
      for (const work of background) await work.stop();
    });
  }
  return {
    server,
    health,
    metrics,
    accounts,
    queue,
    jobHandlers: jobs,
    relay,
    background,
    requestListener: (request, response) => requestListener(request, response),
  };
}
