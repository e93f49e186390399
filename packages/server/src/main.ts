#!/usr/bin/env node
/**
 * The `qrforge` command.
 *   qrforge serve           HTTP API (and, with the embedded defaults, migrations first and the
 *                           job queue in-process)
 *   qrforge worker          runs jobs: BullMQ with REDIS_URL, else the database queue (PostgreSQL)
 *   qrforge migrate         apply database migrations (needed before `serve` on PostgreSQL)
 *   qrforge user add        add a user to a tenant (creating the tenant if new)
 *   qrforge apikey create   create an API key for a tenant; prints it once
 *   qrforge audit verify    check the audit trail's hash chains
 *   qrforge storage reconcile  make STORAGE_PRIMARY and STORAGE_BACKUP hold the same objects
 */
import { Flags } from './platform/flags/flags.js';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import type { App } from './app.js';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './platform/db/database.js';
import { checkEvictionPolicy } from './platform/queue/redis-policy.js';
import { EmbeddedQueue } from './platform/queue/embedded.js';
import type { JobQueue } from './platform/queue/queue.js';
import { backgrounds, enabledModules, jobHandlers } from './modules/registry.js';
import { closeRenderPool, warmRenderPool } from './modules/generate/batch/pool.js';
import { loadSigningSecret } from './platform/auth/secrets.js';
import { DownloadLinks } from './platform/storage/download-links.js';
import { reconcile } from './platform/storage/reconcile.js';
import { openStore } from './platform/storage/open.js';
import { databaseMetrics } from './platform/db/metrics.js';
import { createBackup, restoreBackup } from './platform/db/embedded-backup.js';
import { serveWorkerHttp } from './platform/observability/worker-http.js';
import { openStorage, storeSettings } from './platform/storage/setup.js';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Role } from './platform/db/schema.js';
import { verifyAuditChains } from './platform/audit/audit.js';
import { passwordProblem } from './platform/auth/passwords.js';
import { startTracing } from './platform/observability/tracing.js';
import { EventRelay } from './platform/events/relay.js';
import { machineNames } from './platform/tls/files.js';
import { loadTlsCredentials, type TlsCredentials } from './platform/tls/server-tls.js';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';

const HELP = `Usage: qrforge <command>

Commands:
  serve                     serve the API on HOST:PORT (default localhost:8000)
  worker                    run jobs (BullMQ with REDIS_URL; else the PostgreSQL job table)
  migrate                   apply database migrations
  user add --email E --password P [--tenant SLUG] [--role admin|operator|viewer]
  apikey create --name N [--tenant SLUG] [--role admin|operator|viewer]
  audit verify              check every audit hash chain; exit 1 when one is broken
  backup create DIR         the embedded database, local objects and secret into DIR (server stopped)
  backup restore DIR [--replace]  restore such a backup (--replace moves the current data aside)
  backup upload FILE        put FILE (a pg_dump) into object storage under backups/
  storage init              create the storage bucket/container (and the backup's) if missing
  storage reconcile [--deep]  copy every object missing or different on the primary or the
                            backup store (--deep also reads both copies to find corrupt ones);
                            exit 1 when an object could not be repaired
  tls init [--hosts a,b]    make a local certificate authority and an HTTPS certificate for this
                            machine's names and addresses (and --hosts); serve then answers
                            HTTPS on QRFORGE_TLS_PORT (8443) besides HTTP
  help                      show this help

Settings come from the environment; see .env.example.
`;

async function serve(config: Config): Promise<void> {
  // Checked before anything opens: a bad certificate stops start-up naming the variable.
  const tls = loadTlsCredentials(config);
  // Tracing first: it instruments the http module, which Fastify loads with the app.
  const stopTracing = config.otlpEndpoint ? await startTracing(config.otlpEndpoint) : undefined;
  const { buildApp } = await import('./app.js');
  const database = await openDatabase(config);
  // Embedded PGlite belongs to this process alone, so migrating at start is safe; on PostgreSQL
  // several processes start at once, so migrations are a separate step (qrforge migrate).
  if (database.engine === 'pglite') await database.migrate();
  const redis = config.redisUrl ? await sharedRedis(config.redisUrl) : undefined;
  const queue = await openQueue(config, database);
  const { server, health, accounts, jobHandlers, relay, background, requestListener } =
    await buildApp(config, {
      database,
      redis,
      queue,
    });
  if (config.redisUrl)
    void checkEvictionPolicy(config.redisUrl).then((c) => c.ok || server.log.warn(c.message));
  // Tenant isolation's second layer needs an ordinary PostgreSQL role (docs/security.md).
  if (database.engine === 'postgres')
    void database
      .rowSecurity()
      .then((c) => c.enforced || server.log.warn(c.message))
      .catch(() => undefined);
  // With Redis, jobs run in `qrforge worker` processes; without, this process runs them.
  if (!config.redisUrl) {
    queue.start(jobHandlers);
    relay?.start(config.eventsPollMs);
    for (const work of background) work.start();
    if (config.modules.includes('generate')) void warmRenderPool().catch(() => undefined);
  }
  server.addHook('onClose', async () => {
    // Order matters: running jobs finish or go back to the queue while the database is open.
    await queue.close(Math.max(0, config.shutdownTimeoutMs - 5000));
    await closeRenderPool();
    await database.close();
    redis?.disconnect();
    await stopTracing?.();
  });
  // The first admin: from the environment (servers, containers), or created on the web page by
  // whoever opens it on this machine first (a local `npm start`).
  if (config.adminPassword) await accounts!.ensureAdmin(config.adminEmail, config.adminPassword);
  else if (await accounts!.setupNeeded())
    process.stdout.write(
      `\nFirst start: nobody can sign in yet. Open http://localhost:${config.port}/ on this machine and choose "Sign in" to create the first account,\n` +
        `or start with QRFORGE_ADMIN_EMAIL and QRFORGE_ADMIN_PASSWORD set.\n\n`,
    );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down: finishing in-flight requests');
    health.markShuttingDown();
    const timer = setTimeout(() => {
      server.log.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    // Readiness answers 503 from now; the listener stays open for the drain so that requests a
    // load balancer sends before it notices are still served, then closes.
    const drained = new Promise((r) => setTimeout(r, config.shutdownDrainMs));
    void drained
      .then(() => server.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          server.log.error({ err: error }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const https = tls && tlsServer(server, requestListener, tls, config);
  await server.listen({ host: config.host, port: config.port });
  if (https) await listenTls(server, https, tls, config);
}

/**
 * HTTPS on QRFORGE_TLS_PORT, beside HTTP: the same handler, limits and shutdown. HTTP/1.1, as the
 * hot cache and fast paths write HTTP/1 answers and Fastify's HTTP/2 mode is chosen per instance.
 */
function tlsServer(
  server: App['server'],
  listener: App['requestListener'],
  tls: TlsCredentials,
  config: Config,
): HttpsServer {
  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, listener);
  https.keepAliveTimeout = 72_000;
  https.requestTimeout = config.requestTimeoutMs;
  https.headersTimeout = Math.min(https.headersTimeout, config.requestTimeoutMs);
  https.setTimeout(config.requestTimeoutMs);
  server.addHook('preClose', async () => {
    https.close();
    https.closeIdleConnections();
  });
  return https;
}

async function listenTls(
  server: App['server'],
  https: HttpsServer,
  tls: TlsCredentials,
  config: Config,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(config.tlsPort, config.host, () => resolve());
  });
  const port = (https.address() as { port: number }).port;
  server.log.info({ port, certificate: tls.source }, `HTTPS on port ${port} (${tls.source})`);
  const names =
    config.host === 'localhost' || config.host === '127.0.0.1' ? ['localhost'] : machineNames();
  process.stdout.write(
    `HTTPS: ${names
      .filter((n) => !n.includes(':'))
      .slice(0, 4)
      .map((n) => `https://${n}:${port}/`)
      .join('  ')}
`,
  );
}

/** `qrforge tls init`: the local CA and this machine's certificate, and how to trust it. */
async function tlsInit(config: Config, extraHosts: string[]): Promise<void> {
  const { initLocalTls } = await import('./platform/tls/local-ca.js');
  const result = await initLocalTls(config.dataDir, [...machineNames(), ...extraHosts]);
  const port = config.tlsPort;
  const lan = result.names.filter(
    (n) => n !== 'localhost' && !n.includes(':') && !n.startsWith('127.'),
  );
  process.stdout.write(
    [
      `${result.caCreated ? 'Made a new' : 'Kept the'} local certificate authority: ${result.files.ca}`,
      `  SHA-256 fingerprint ${result.fingerprint}`,
      `Issued the HTTPS certificate ${result.files.cert} (until ${result.notAfter.toISOString().slice(0, 10)}) for:`,
      `  ${result.names.join(', ')}`,
      '',
      `Start QR Forge reachable from the LAN: HOST=0.0.0.0 npm start (or qrforge serve); it answers`,
      `HTTP on ${config.port} and HTTPS on ${port}, e.g. ${
        lan
          .slice(0, 2)
          .map((n) => `https://${n}:${port}/`)
          .join('  ') || `https://localhost:${port}/`
      }`,
      '',
      'Trust the certificate authority once on each phone or tablet:',
      `  1. Open http://${lan[0] ?? '<this machine>'}:${config.port}/tls/ca.pem on the phone and download it.`,
      '  2. Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate.',
      '     iOS: Settings > Profile Downloaded > Install, then General > About > Certificate Trust Settings:',
      '     switch on full trust for "QR Forge local CA".',
      '  3. Check the fingerprint above against the one the phone shows.',
      'Then open https://<this machine>:' + port + '/scan on the phone: the camera works there.',
      'Names that are missing? Run again with --hosts name1,name2 (the same authority is kept).',
      '',
    ].join('\n'),
  );
}

/**
 * BullMQ (and ioredis) are imported only with REDIS_URL: a single process on the embedded
 * defaults would otherwise carry them for nothing (memory figures in docs/security.md).
 */
async function openQueue(config: Config, database: DatabaseHandle): Promise<JobQueue> {
  const common = { concurrency: config.workerConcurrency, leaseMs: config.jobLeaseMs };
  if (!config.redisUrl) return new EmbeddedQueue(database.db, common);
  const { BullmqQueue } = await import('./platform/queue/bullmq.js');
  return new BullmqQueue(database.db, {
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    ...common,
  });
}

async function worker(config: Config): Promise<void> {
  if (!config.databaseUrl)
    throw new Error(
      'qrforge worker needs DATABASE_URL (PostgreSQL): with the embedded database, qrforge serve runs the jobs itself',
    );
  const database = await openDatabase(config);
  const queue = await openQueue(config, database);
  const modules = enabledModules(config);
  const registry = new Registry();
  const secret = loadSigningSecret(config.jwtSecret, config.dataDir);
  const { store, replicated } = await openStorage(config, database.db, registry);
  replicated?.start(config.storageReplicationIntervalMs);
  const relay = EventRelay.fromConfig(config, database.db, secret, registry, (message, error) =>
    // The database's own words (a failed query's cause), not the whole statement.
    process.stderr.write(`${message}: ${reason(error)}\n`),
  );
  relay.start(config.eventsPollMs);
  const redis = config.redisUrl ? await sharedRedis(config.redisUrl) : undefined;
  if (config.redisUrl) {
    const eviction = await checkEvictionPolicy(config.redisUrl);
    if (!eviction.ok) process.stderr.write(`${eviction.message}\n`);
  }
  const context = {
    config,
    redis,
    database,
    queue,
    storage: store,
    downloads: new DownloadLinks(store, secret, config.downloadUrlTtlSeconds),
    metrics: { registry },
    secret,
    flags: await Flags.open({
      file: config.flagsFile,
      log: (message) => process.stderr.write(`${message}\n`),
    }),
  };
  const handlers = jobHandlers(modules, context);
  queue.start(handlers);
  collectDefaultMetrics({ register: registry });
  databaseMetrics(registry, database);
  const http = await serveWorkerHttp(registry, () => database.ping(), config);
  const background = backgrounds(modules, context);
  for (const work of background) work.start();
  if (config.modules.includes('generate')) await warmRenderPool();
  const types = Object.keys(handlers);
  process.stdout.write(
    `worker started (${config.redisUrl ? 'BullMQ on Redis' : 'PostgreSQL job table'}); modules: ${
      modules.map((m) => m.name).join(', ') || 'none'
    }; job types: ${types.join(', ') || 'none'}; /health, /ready and /metrics on ${config.host}:${config.port}\n`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`${signal}: finishing running jobs, releasing the rest\n`);
      const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
      timer.unref();
      queue
        .close(Math.max(0, config.shutdownTimeoutMs - 5000))
        .then(() => replicated?.stop())
        .then(() => relay.stop())
        .then(() => Promise.all(background.map((work) => work.stop())))
        .then(() => database.close())
        .then(() => redis?.disconnect())
        .then(() => context.flags.close())
        .then(() => closeRenderPool())
        .then(() => new Promise<void>((done) => http.close(() => done())))
        .then(resolve, (error: unknown) => {
          process.stderr.write(`error while stopping: ${String(error)}\n`);
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  process.stdout.write('worker stopped\n');
}

async function reconcileStorage(config: Config, deep: boolean): Promise<void> {
  if (!config.storageBackup)
    throw new Error('storage reconcile needs STORAGE_BACKUP (and STORAGE_PRIMARY) to compare');
  const database = await openDatabase(config);
  try {
    if (database.engine === 'pglite') await database.migrate();
    const { replicated } = await openStorage(config, database.db, new Registry());
    const report = await reconcile(replicated!, { deep });
    for (const { key, error } of report.failed) process.stdout.write(`FAILED ${key}: ${error}\n`);
    process.stdout.write(
      `${report.checked} objects checked${deep ? ' (deep)' : ''}: ${report.copiedToBackup} copied to the backup, ${report.copiedToPrimary} copied to the primary, ${report.corrupt} corrupt copies replaced, ${report.failed.length} failed\n`,
    );
    process.exitCode = report.failed.length ? 1 : 0;
  } finally {
    await database.close();
  }
}

/** Creates the primary (and backup) bucket or container when missing: a new deployment's first step. */
async function initStorage(config: Config): Promise<void> {
  const settings = storeSettings(config);
  for (const [name, location] of [
    ['STORAGE_PRIMARY', config.storagePrimary],
    ['STORAGE_BACKUP', config.storageBackup],
  ] as const) {
    if (name === 'STORAGE_BACKUP' && !location) continue;
    await (await openStore(location, settings, name)).create();
    process.stdout.write(`${name}: ready (${location || 'local folder'})\n`);
  }
}

/**
 * Puts a backup file (a pg_dump, say) into object storage under backups/<file name>, streamed,
 * through the same primary (and replicated backup) store as every other object.
 */
async function uploadBackup(config: Config, file: string): Promise<void> {
  const database = await openDatabase(config);
  try {
    if (database.engine === 'pglite') await database.migrate();
    // With a backup store, the copy is queued in the database's outbox: serve and the workers
    // replicate it within QRFORGE_STORAGE_REPLICATION_INTERVAL_MS.
    const { store } = await openStorage(config, database.db, new Registry());
    // Create-only: a second file under a name already uploaded is refused, never replaces the
    // first (uploading the same file again is a replay and succeeds).
    const info = await store.putStream(
      `backups/${basename(file)}`,
      createReadStream(file),
      'application/octet-stream',
      { ifAbsent: true },
    );
    process.stdout.write(`${info.key}: ${info.size} bytes, sha256 ${info.sha256}\n`);
  } finally {
    await database.close();
  }
}

async function migrate(config: Config): Promise<void> {
  const database = await openDatabase(config);
  try {
    await database.migrate();
    process.stdout.write(`migrations applied (${database.engine})\n`);
  } finally {
    await database.close();
  }
}

async function withAccounts<T>(
  config: Config,
  work: (accounts: NonNullable<App['accounts']>) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(config);
  try {
    if (database.engine === 'pglite') await database.migrate();
    const { buildApp } = await import('./app.js');
    const { server, accounts } = await buildApp({ ...config, logLevel: 'silent' }, { database });
    await server.close();
    return await work(accounts!);
  } finally {
    await database.close();
  }
}

const ACCOUNT_OPTIONS = {
  email: { type: 'string' },
  password: { type: 'string' },
  tenant: { type: 'string', default: 'default' },
  role: { type: 'string', default: 'admin' },
  name: { type: 'string' },
  deep: { type: 'boolean', default: false },
  replace: { type: 'boolean', default: false },
  hosts: { type: 'string' },
} as const;

async function tenantId(accounts: NonNullable<App['accounts']>, slug: string): Promise<string> {
  return ((await accounts.tenantBySlug(slug)) ?? (await accounts.createTenant(slug, slug))).id;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: ACCOUNT_OPTIONS,
  });
  const [command = 'help'] = positionals;
  const role = values.role as Role;
  if (command === 'user' && positionals[1] === 'add') {
    if (!values.email || !values.password) throw new Error('user add needs --email and --password');
    // Check the password before anything is created (the tenant, say).
    const weak = passwordProblem(values.password, values.email);
    if (weak) throw new Error(`The password ${weak}`);
    const user = await withAccounts(loadConfig(), async (accounts) =>
      accounts.addUser({
        email: values.email!,
        password: values.password,
        role,
        tenantId: await tenantId(accounts, values.tenant),
      }),
    );
    process.stdout.write(`user ${user.email} is ${role} of tenant ${values.tenant}\n`);
    return;
  }
  if (command === 'audit' && positionals[1] === 'verify') {
    const config = loadConfig();
    const database = await openDatabase(config);
    try {
      const report = await verifyAuditChains(database.db);
      for (const b of report.broken)
        process.stdout.write(`BROKEN chain ${b.chain} at entry ${b.id}: ${b.reason}\n`);
      process.stdout.write(
        `${report.entries} entries in ${report.chains} chains: ${report.broken.length ? 'TAMPERED' : 'intact'}\n`,
      );
      process.exitCode = report.broken.length ? 1 : 0;
    } finally {
      await database.close();
    }
    return;
  }
  if (command === 'storage' && positionals[1] === 'reconcile')
    return reconcileStorage(loadConfig(), values.deep);
  if (command === 'storage' && positionals[1] === 'init') return initStorage(loadConfig());
  if (command === 'backup' && positionals[1] === 'upload' && positionals[2])
    return uploadBackup(loadConfig(), positionals[2]);
  if (command === 'backup' && (positionals[1] === 'create' || positionals[1] === 'restore')) {
    const config = loadConfig();
    if (config.databaseUrl)
      throw new Error(
        'backup create/restore are for the embedded database; on PostgreSQL use pg_dump and point-in-time recovery (docs/operations.md)',
      );
    if (!positionals[2]) throw new Error(`backup ${positionals[1]} needs a folder`);
    const manifest =
      positionals[1] === 'create'
        ? await createBackup(config.dataDir, positionals[2])
        : await restoreBackup(positionals[2], config.dataDir, values.replace);
    process.stdout.write(
      `${positionals[1] === 'create' ? 'backed up' : 'restored'}: database ${manifest.database.bytes} bytes (sha256 ${manifest.database.sha256.slice(0, 12)}…), ${manifest.objects} object files, secret ${manifest.secret ? 'included' : 'absent'}; made ${manifest.createdAt}\n`,
    );
    return;
  }
  if (command === 'apikey' && positionals[1] === 'create') {
    if (!values.name) throw new Error('apikey create needs --name');
    const key = await withAccounts(loadConfig(), async (accounts) =>
      accounts.createApiKey({
        name: values.name!,
        role,
        tenantId: await tenantId(accounts, values.tenant),
      }),
    );
    process.stdout.write(`${key.key}\n`);
    process.stderr.write(
      `API key "${key.name}" (${role}, tenant ${values.tenant}); shown once, store it now.\n`,
    );
    return;
  }
  if (command === 'tls' && positionals[1] === 'init') {
    const hosts = (values.hosts ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    return tlsInit(loadConfig(), hosts);
  }
  if (command === 'help' || command === '--help') {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  if (command === 'serve') return serve(config);
  if (command === 'migrate') return migrate(config);
  if (command === 'worker') return worker(config);
  process.stderr.write(`qrforge: unknown command "${command}"\n\n${HELP}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`qrforge: ${startFailure(error)}\n`);
  // Exit even with handles open (database pool, job loop): a server that failed to start must not
  // linger as a process that looks alive but never listens.
  process.exit(1);
});

/** A failed query's cause (the database's words) rather than the whole statement. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** The reason a command failed, with the database's own words and what to do when we know. */
function startFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  const message =
    cause && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
  return /relation "[^"]+" does not exist/.test(cause)
    ? `${message}\nThe database has no QR Forge tables yet: run \`qrforge migrate\` first.`
    : message;
}

/**
 * The Redis client of rate limits and caches: fails fast while Redis is away (callers fall back
 * or answer 503, /ready reports it) and reconnects by itself. Its errors are reported by the
 * failing calls and /ready; without a listener ioredis would print each one.
 */
async function sharedRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  return redis;
}
