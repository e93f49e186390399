/**
 * Configuration: read from the environment once, at start-up, into a typed object. Every variable
 * is declared here with its default and a parser; a malformed value, or an unknown QRFORGE_*
 * variable (a typo), stops start-up with a message naming it. `.env.example` is generated from
 * this table (`npm run generate`) and a test keeps it current.
 */

import { trustProxy } from './platform/http/client-ip.js';
import { FLAG_KEYS, flagVariable } from './platform/flags/definitions.js';
import { parseLocation, StorageLocationError } from './platform/storage/location.js';

export const MODULES = ['generate', 'inventory', 'engraving', 'scanning', 'links'] as const;
export type ModuleName = (typeof MODULES)[number];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Shared buffers of the embedded database, in MB (PGlite touches all of them at start). */
  embeddedSharedBuffersMb: number;
  /** PostgreSQL connection string; unset means embedded PGlite in `<dataDir>/pg`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Object storage location; undefined means `<dataDir>/objects`. */
  storagePrimary: string | undefined;
  /** Second copy of every object, filled through the replication outbox; undefined: none. */
  storageBackup: string | undefined;
  azureConnectionString: string | undefined;
  storageTryTimeoutMs: number;
  storageMaxAttempts: number;
  storageReplicationIntervalMs: number;
  downloadUrlTtlSeconds: number;
  modules: ModuleName[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  shutdownDrainMs: number;
  workerConcurrency: number;
  jobLeaseMs: number;
  queuePrefix: string;
  corsOrigins: string[];
  otlpEndpoint: string | undefined;
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  rateLimitMax: number;
  anonymousGenerate: boolean;
  anonymousRateLimitMax: number;
  batchMaxRows: number;
  batchMaxActive: number;
  idempotencyTtlHours: number;
  inventoryMaxCount: number;
  inventorySyncCount: number;
  renderCacheBytes: number;
  hotCacheBytes: number;
  batchMaxBytes: number;
  batchMaxFieldLength: number;
  rateLimitWindowSeconds: number;
  amqpUrl: string | undefined;
  amqpExchange: string;
  eventsPollMs: number;
  eventRetentionDays: number;
  webhooksPerTenant: number;
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  webhookRetryMs: number;
  webhookAllowPrivate: boolean;
  scanMaxBytes: number;
  scanMaxImages: number;
  scanMaxPixels: number;
  scanSessionMaxExpected: number;
  scanBatchMax: number;
  engravingMaxPieces: number;
  engravingPollMs: number;
  engravingLeaseMs: number;
  engravingProbeMs: number;
  engravingAllowLocal: boolean;
  engravingCommandTimeoutMs: number;
  tlsCert: string;
  tlsKey: string;
  tlsPort: number;
  publicUrl: string | undefined;
  linkCacheMs: number;
  publicRateLimitMax: number;
  scanLogFlushMs: number;
  geoipDb: string | undefined;
  flagsFile: string | undefined;
  trustProxy: string;
}

interface Variable<K extends keyof Config> {
  name: string;
  key: K;
  default: string;
  description: string;
  parse: (raw: string) => Config[K];
}

export class ConfigError extends Error {
  constructor(variable: string, raw: string, expected: string) {
    super(`${variable}=${JSON.stringify(raw)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

function integer(name: string, min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max)
      throw new ConfigError(name, raw, `an integer in [${min}, ${max}]`);
    return n;
  };
}

function boolean(name: string) {
  return (raw: string): boolean => {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(name, raw, 'true or false');
  };
}

function optionalUrl(name: string, protocols: string[]) {
  return (raw: string): string | undefined => {
    if (raw === '') return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(name, raw, `a URL (${protocols.join(', ')})`);
    }
    if (!protocols.includes(url.protocol))
      throw new ConfigError(name, raw, `a URL (${protocols.join(', ')})`);
    return raw;
  };
}

function storageLocation(name: string) {
  return (raw: string): string | undefined => {
    if (raw === '') return undefined;
    try {
      parseLocation(raw);
    } catch (error) {
      if (error instanceof StorageLocationError) throw new ConfigError(name, raw, error.message);
      throw error;
    }
    return raw;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type AnyVariable = { [K in keyof Config]: Variable<K> }[keyof Config];

export const VARIABLES: readonly AnyVariable[] = [
  {
    name: 'HOST',
    key: 'host',
    default: 'localhost',
    description: 'Interface to listen on (0.0.0.0 in containers).',
    parse: (raw) => raw,
  },
  {
    name: 'PORT',
    key: 'port',
    default: '8000',
    description: 'HTTP port.',
    parse: integer('PORT', 0, 65535),
  },
  {
    name: 'QRFORGE_TLS_CERT',
    key: 'tlsCert',
    default: '',
    description:
      'PEM file of the HTTPS certificate (its chain after it); with QRFORGE_TLS_KEY, serve HTTPS on QRFORGE_TLS_PORT besides HTTP. Empty: the certificate of `qrforge tls init` when it exists, else no HTTPS.',
    parse: (raw) => raw,
  },
  {
    name: 'QRFORGE_TLS_KEY',
    key: 'tlsKey',
    default: '',
    description: 'PEM file of the private key of QRFORGE_TLS_CERT.',
    parse: (raw) => raw,
  },
  {
    name: 'QRFORGE_TLS_PORT',
    key: 'tlsPort',
    default: '8443',
    description:
      'HTTPS port, when a certificate is configured (QRFORGE_TLS_CERT or `qrforge tls init`).',
    parse: integer('QRFORGE_TLS_PORT', 0, 65535),
  },
  {
    name: 'QRFORGE_DATA_DIR',
    key: 'dataDir',
    default: './data',
    description: 'Folder for the embedded database (pg/) and local object storage (objects/).',
    parse: (raw) => {
      if (raw === '') throw new ConfigError('QRFORGE_DATA_DIR', raw, 'a folder path');
      return raw;
    },
  },
  {
    name: 'QRFORGE_EMBEDDED_SHARED_BUFFERS_MB',
    key: 'embeddedSharedBuffersMb',
    default: '32',
    description:
      "The embedded database's buffer cache in MB (PostgreSQL's shared_buffers). PGlite keeps all of it resident, so it is a fixed cost of the process: 128 (PostgreSQL's default) is faster only on data sets much larger than the cache (docs/operations.md).",
    parse: integer('QRFORGE_EMBEDDED_SHARED_BUFFERS_MB', 1, 4096),
  },
  {
    name: 'DATABASE_URL',
    key: 'databaseUrl',
    default: '',
    description: 'PostgreSQL connection string. Empty: embedded PGlite in <QRFORGE_DATA_DIR>/pg.',
    parse: optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
  },
  {
    name: 'REDIS_URL',
    key: 'redisUrl',
    default: '',
    description: 'Redis for shared rate limits, cache and the BullMQ job queue. Empty: in-process.',
    parse: optionalUrl('REDIS_URL', ['redis:', 'rediss:']),
  },
  {
    name: 'STORAGE_PRIMARY',
    key: 'storagePrimary',
    default: '',
    description:
      'Where generated files are kept: file://<dir>, s3://<bucket>/<prefix> (options ?endpoint=&region=&path_style=true&checksum=when_required) or azure://<container>/<prefix>. Empty: <QRFORGE_DATA_DIR>/objects.',
    parse: storageLocation('STORAGE_PRIMARY'),
  },
  {
    name: 'STORAGE_BACKUP',
    key: 'storageBackup',
    default: '',
    description:
      'Optional second store, same forms as STORAGE_PRIMARY: every object is copied to it through a persisted outbox, and reads fall back to it. Empty: no backup.',
    parse: storageLocation('STORAGE_BACKUP'),
  },
  {
    name: 'AZURE_STORAGE_CONNECTION_STRING',
    key: 'azureConnectionString',
    default: '',
    description:
      'Credentials for azure:// locations (with an AccountKey, download links are SAS URLs). S3 uses the AWS SDK chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, profiles, IAM roles.',
    parse: (raw) => raw || undefined,
  },
  {
    name: 'QRFORGE_STORAGE_TRY_TIMEOUT_MS',
    key: 'storageTryTimeoutMs',
    default: '10000',
    description:
      'Limit of one S3 or Azure request attempt; a hung connection is retried, not waited on.',
    parse: integer('QRFORGE_STORAGE_TRY_TIMEOUT_MS', 100, 600_000),
  },
  {
    name: 'QRFORGE_STORAGE_MAX_ATTEMPTS',
    key: 'storageMaxAttempts',
    default: '3',
    description:
      'Attempts per S3 or Azure request (first try included), with exponential back-off.',
    parse: integer('QRFORGE_STORAGE_MAX_ATTEMPTS', 1, 20),
  },
  {
    name: 'QRFORGE_STORAGE_REPLICATION_INTERVAL_MS',
    key: 'storageReplicationIntervalMs',
    default: '2000',
    description:
      'How often the replication outbox is checked for copies to retry (with STORAGE_BACKUP).',
    parse: integer('QRFORGE_STORAGE_REPLICATION_INTERVAL_MS', 10, 3_600_000),
  },
  {
    name: 'QRFORGE_DOWNLOAD_URL_TTL_SECONDS',
    key: 'downloadUrlTtlSeconds',
    default: '300',
    description:
      'Lifetime of signed download URLs (S3 presigned, Azure SAS, or signed by the API).',
    parse: integer('QRFORGE_DOWNLOAD_URL_TTL_SECONDS', 10, 7 * 24 * 3600),
  },
  {
    name: 'QRFORGE_MODULES',
    key: 'modules',
    default: 'all',
    description: `Domain modules this process serves: all, or a comma list of ${MODULES.join(', ')}.`,
    parse: (raw) => {
      if (raw.trim() === 'all') return [...MODULES];
      const names = raw.split(',').map((s) => s.trim());
      const unknown = names.filter((n) => !(MODULES as readonly string[]).includes(n));
      if (unknown.length || names.length === 0)
        throw new ConfigError(
          'QRFORGE_MODULES',
          raw,
          `all, or a comma list of ${MODULES.join(', ')}`,
        );
      return names as ModuleName[];
    },
  },
  {
    name: 'LOG_LEVEL',
    key: 'logLevel',
    default: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}.`,
    parse: (raw) => {
      if (!(LOG_LEVELS as readonly string[]).includes(raw))
        throw new ConfigError('LOG_LEVEL', raw, LOG_LEVELS.join(', '));
      return raw as Config['logLevel'];
    },
  },
  {
    name: 'QRFORGE_BODY_LIMIT_BYTES',
    key: 'bodyLimitBytes',
    default: String(1024 * 1024),
    description: 'Largest request body accepted; larger ones get 413.',
    parse: integer('QRFORGE_BODY_LIMIT_BYTES', 1024, 512 * 1024 * 1024),
  },
  {
    name: 'QRFORGE_REQUEST_TIMEOUT_MS',
    key: 'requestTimeoutMs',
    default: '30000',
    description: 'Time to receive a whole request (slow clients are cut off with 408).',
    parse: integer('QRFORGE_REQUEST_TIMEOUT_MS', 1000, 600_000),
  },
  {
    name: 'QRFORGE_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    default: '25000',
    description: 'On SIGTERM, time allowed to finish in-flight work before exiting.',
    parse: integer('QRFORGE_SHUTDOWN_TIMEOUT_MS', 0, 600_000),
  },
  {
    name: 'QRFORGE_SHUTDOWN_DRAIN_MS',
    key: 'shutdownDrainMs',
    default: '0',
    description:
      'On SIGTERM, time to keep serving with /ready answering 503 before the listener closes, so load balancers stop sending first (Kubernetes: 5000). Counts within QRFORGE_SHUTDOWN_TIMEOUT_MS.',
    parse: integer('QRFORGE_SHUTDOWN_DRAIN_MS', 0, 120_000),
  },
  {
    name: 'QRFORGE_QUEUE_PREFIX',
    key: 'queuePrefix',
    default: 'qrforge',
    description:
      'Redis key prefix of the BullMQ queues (deployments sharing one Redis use different ones).',
    parse: (raw) => {
      if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(raw))
        throw new ConfigError('QRFORGE_QUEUE_PREFIX', raw, 'letters, digits, - and _ (at most 40)');
      return raw;
    },
  },
  {
    name: 'QRFORGE_WORKER_CONCURRENCY',
    key: 'workerConcurrency',
    default: '2',
    description:
      'Jobs one process runs at once (serve with the embedded queue, or qrforge worker).',
    parse: integer('QRFORGE_WORKER_CONCURRENCY', 1, 64),
  },
  {
    name: 'QRFORGE_JOB_LEASE_MS',
    key: 'jobLeaseMs',
    default: '30000',
    description:
      'How long a running job (a batch, say) stays claimed without a heartbeat from its process; after a crash it runs again once this has passed. BullMQ: its lock duration.',
    parse: integer('QRFORGE_JOB_LEASE_MS', 1000, 3_600_000),
  },
  {
    name: 'QRFORGE_CORS_ORIGINS',
    key: 'corsOrigins',
    default: '',
    description:
      'Comma list of origins allowed to call the API from a browser. Empty: same origin only.',
    parse: (raw) => {
      const origins = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const o of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(o))
          throw new ConfigError(
            'QRFORGE_CORS_ORIGINS',
            raw,
            'origins like https://app.example.com',
          );
      }
      return origins;
    },
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    key: 'otlpEndpoint',
    default: '',
    description:
      'OpenTelemetry OTLP endpoint for traces (e.g. http://jaeger:4318). Empty: tracing off.',
    parse: optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
  },
  {
    name: 'QRFORGE_JWT_SECRET',
    key: 'jwtSecret',
    default: '',
    description:
      'Secret that signs access tokens (32+ characters; set it when several processes serve). Empty: generated once into <QRFORGE_DATA_DIR>/jwt-secret.',
    parse: (raw) => {
      if (raw !== '' && raw.length < 32)
        throw new ConfigError('QRFORGE_JWT_SECRET', '(hidden)', 'at least 32 characters');
      return raw || undefined;
    },
  },
  {
    name: 'QRFORGE_ACCESS_TOKEN_TTL_SECONDS',
    key: 'accessTokenTtlSeconds',
    default: '900',
    description: 'Lifetime of access tokens (at most 15 minutes).',
    parse: integer('QRFORGE_ACCESS_TOKEN_TTL_SECONDS', 30, 900),
  },
  {
    name: 'QRFORGE_REFRESH_TOKEN_TTL_DAYS',
    key: 'refreshTokenTtlDays',
    default: '30',
    description: 'Lifetime of refresh tokens.',
    parse: integer('QRFORGE_REFRESH_TOKEN_TTL_DAYS', 1, 365),
  },
  {
    name: 'QRFORGE_LOGIN_MAX_FAILURES',
    key: 'loginMaxFailures',
    default: '10',
    description: 'Failed sign-ins allowed per account and per IP within the window before 429.',
    parse: integer('QRFORGE_LOGIN_MAX_FAILURES', 1, 1000),
  },
  {
    name: 'QRFORGE_LOGIN_WINDOW_SECONDS',
    key: 'loginWindowSeconds',
    default: '900',
    description: 'Window for counting failed sign-ins.',
    parse: integer('QRFORGE_LOGIN_WINDOW_SECONDS', 1, 86_400),
  },
  {
    name: 'QRFORGE_ADMIN_EMAIL',
    key: 'adminEmail',
    default: '',
    description:
      'First start with no users (with QRFORGE_ADMIN_PASSWORD): the admin to create. Empty: admin@localhost.',
    parse: (raw) => {
      if (raw !== '' && !/^[^\s@]+@[^\s@]+$/.test(raw))
        throw new ConfigError('QRFORGE_ADMIN_EMAIL', raw, 'an e-mail address');
      return raw || undefined;
    },
  },
  {
    name: 'QRFORGE_ADMIN_PASSWORD',
    key: 'adminPassword',
    default: '',
    description:
      "First start with no users: the admin's password. Empty: the first account is created on the web page, from the server machine itself.",
    parse: (raw) => raw || undefined,
  },
  {
    name: 'QRFORGE_ANONYMOUS_GENERATE',
    key: 'anonymousGenerate',
    default: 'true',
    description:
      'Let callers without credentials generate codes (POST /generate, POST /api/v1/codes without store).',
    parse: boolean('QRFORGE_ANONYMOUS_GENERATE'),
  },
  {
    name: 'QRFORGE_ANONYMOUS_RATE_LIMIT_MAX',
    key: 'anonymousRateLimitMax',
    default: '60',
    description: 'Requests per rate-limit window for anonymous generation, per client IP.',
    parse: integer('QRFORGE_ANONYMOUS_RATE_LIMIT_MAX', 1, 1_000_000),
  },
  {
    name: 'QRFORGE_RENDER_CACHE_BYTES',
    key: 'renderCacheBytes',
    default: String(32 * 1024 * 1024),
    description:
      'Memory for rendered codes kept for repeat requests (also shared in Redis with REDIS_URL); 0 turns the cache off.',
    parse: integer('QRFORGE_RENDER_CACHE_BYTES', 0, 4 * 1024 * 1024 * 1024),
  },
  {
    name: 'QRFORGE_HOT_CACHE_BYTES',
    key: 'hotCacheBytes',
    default: String(16 * 1024 * 1024),
    description:
      'Memory for signed render answers served before the request pipeline, as a CDN edge would (0: off).',
    parse: integer('QRFORGE_HOT_CACHE_BYTES', 0, 4 * 1024 * 1024 * 1024),
  },
  {
    name: 'QRFORGE_BATCH_MAX_ROWS',
    key: 'batchMaxRows',
    default: '100000',
    description: 'Most rows in one batch; more answers 413.',
    parse: integer('QRFORGE_BATCH_MAX_ROWS', 1, 10_000_000),
  },
  {
    name: 'QRFORGE_INVENTORY_MAX_COUNT',
    key: 'inventoryMaxCount',
    default: '100000',
    description: 'Most items one generation request may create; more answers 413.',
    parse: integer('QRFORGE_INVENTORY_MAX_COUNT', 1, 10_000_000),
  },
  {
    name: 'QRFORGE_INVENTORY_SYNC_COUNT',
    key: 'inventorySyncCount',
    default: '1000',
    description:
      'Generation requests up to this many items answer at once (201); larger ones run as a job (202).',
    parse: integer('QRFORGE_INVENTORY_SYNC_COUNT', 1, 100_000),
  },
  {
    name: 'QRFORGE_BATCH_MAX_ACTIVE',
    key: 'batchMaxActive',
    default: '10',
    description:
      'Unfinished batches (queued or running) one tenant may have at once; one more answers 429 until one finishes.',
    parse: integer('QRFORGE_BATCH_MAX_ACTIVE', 1, 10_000),
  },
  {
    name: 'QRFORGE_BATCH_MAX_BYTES',
    key: 'batchMaxBytes',
    default: String(20 * 1024 * 1024),
    description: 'Largest batch upload (CSV/TXT file or JSON body) in bytes; larger answers 413.',
    parse: integer('QRFORGE_BATCH_MAX_BYTES', 1024, 1024 * 1024 * 1024),
  },
  {
    name: 'QRFORGE_BATCH_MAX_FIELD_LENGTH',
    key: 'batchMaxFieldLength',
    default: '2000',
    description:
      'Longest data value of one batch row, in characters; longer rows are reported as errors.',
    parse: integer('QRFORGE_BATCH_MAX_FIELD_LENGTH', 1, 7089),
  },
  {
    name: 'QRFORGE_IDEMPOTENCY_TTL_HOURS',
    key: 'idempotencyTtlHours',
    default: '24',
    description:
      'How long the first answer to a POST or PATCH with an Idempotency-Key is replayed to retries with the same key.',
    parse: integer('QRFORGE_IDEMPOTENCY_TTL_HOURS', 1, 720),
  },
  {
    name: 'QRFORGE_RATE_LIMIT_MAX',
    key: 'rateLimitMax',
    default: '600',
    description:
      'Requests allowed per API key, access token or (anonymous) IP in each window; over it, 429.',
    parse: integer('QRFORGE_RATE_LIMIT_MAX', 1, 1_000_000),
  },
  {
    name: 'QRFORGE_RATE_LIMIT_WINDOW_SECONDS',
    key: 'rateLimitWindowSeconds',
    default: '60',
    description: 'Rate-limit window.',
    parse: integer('QRFORGE_RATE_LIMIT_WINDOW_SECONDS', 1, 86_400),
  },
  {
    name: 'AMQP_URL',
    key: 'amqpUrl',
    default: '',
    description:
      'RabbitMQ (amqp://user:password@host:5672/vhost): every domain event is also published to AMQP_EXCHANGE. Empty: webhooks only.',
    parse: optionalUrl('AMQP_URL', ['amqp:', 'amqps:']),
  },
  {
    name: 'AMQP_EXCHANGE',
    key: 'amqpExchange',
    default: 'qrforge.events',
    description: 'Topic exchange for domain events; the routing key is the event type.',
    parse: (raw) => raw,
  },
  {
    name: 'QRFORGE_EVENTS_POLL_MS',
    key: 'eventsPollMs',
    default: '500',
    description:
      'How often the event outbox is checked for webhooks to send and events to publish.',
    parse: integer('QRFORGE_EVENTS_POLL_MS', 10, 60_000),
  },
  {
    name: 'QRFORGE_EVENT_RETENTION_DAYS',
    key: 'eventRetentionDays',
    default: '30',
    description: 'Domain events and their webhook delivery log are kept this long.',
    parse: integer('QRFORGE_EVENT_RETENTION_DAYS', 1, 3650),
  },
  {
    name: 'QRFORGE_WEBHOOKS_PER_TENANT',
    key: 'webhooksPerTenant',
    default: '20',
    description: 'Most webhook endpoints one tenant may register.',
    parse: integer('QRFORGE_WEBHOOKS_PER_TENANT', 1, 1000),
  },
  {
    name: 'QRFORGE_WEBHOOK_TIMEOUT_MS',
    key: 'webhookTimeoutMs',
    default: '5000',
    description:
      'A webhook receiver must answer within this time, or the attempt fails (RELIABILITY.md: 5 s for calls to user-given URLs).',
    parse: integer('QRFORGE_WEBHOOK_TIMEOUT_MS', 100, 120_000),
  },
  {
    name: 'QRFORGE_WEBHOOK_MAX_ATTEMPTS',
    key: 'webhookMaxAttempts',
    default: '8',
    description: 'Attempts per webhook delivery (first included) before it is marked failed.',
    parse: integer('QRFORGE_WEBHOOK_MAX_ATTEMPTS', 1, 50),
  },
  {
    name: 'QRFORGE_WEBHOOK_RETRY_MS',
    key: 'webhookRetryMs',
    default: '5000',
    description:
      'Delay before the first webhook retry; each later retry waits 4 times longer (at most 6 hours).',
    parse: integer('QRFORGE_WEBHOOK_RETRY_MS', 1, 3_600_000),
  },
  {
    name: 'QRFORGE_WEBHOOK_ALLOW_PRIVATE',
    key: 'webhookAllowPrivate',
    default: 'false',
    description:
      'Allow webhook URLs on loopback, private and link-local addresses (a receiver on your own network). Off: public addresses only (SSRF protection).',
    parse: boolean('QRFORGE_WEBHOOK_ALLOW_PRIVATE'),
  },
  {
    name: 'QRFORGE_SCAN_MAX_BYTES',
    key: 'scanMaxBytes',
    default: String(10 * 1024 * 1024),
    description: 'Largest image file to decode, in bytes; larger answers 413.',
    parse: integer('QRFORGE_SCAN_MAX_BYTES', 1024, 200 * 1024 * 1024),
  },
  {
    name: 'QRFORGE_SCAN_MAX_IMAGES',
    key: 'scanMaxImages',
    default: '10',
    description: 'Most images in one decode request; more answers 413.',
    parse: integer('QRFORGE_SCAN_MAX_IMAGES', 1, 100),
  },
  {
    name: 'QRFORGE_SCAN_MAX_PIXELS',
    key: 'scanMaxPixels',
    default: '16777216',
    description:
      'Most pixels (width x height, read from the header) of an image to decode; more answers 413 before any decoding. 2^24: a 12 MP phone photo fits, and a decoded image stays under ~70 MB (RELIABILITY.md).',
    parse: integer('QRFORGE_SCAN_MAX_PIXELS', 1, 500_000_000),
  },
  {
    name: 'QRFORGE_SCAN_SESSION_MAX_EXPECTED',
    key: 'scanSessionMaxExpected',
    default: '100000',
    description:
      "Most items in a scan session's expected set (a lot, a serial range or a list); more answers 413.",
    parse: integer('QRFORGE_SCAN_SESSION_MAX_EXPECTED', 1, 10_000_000),
  },
  {
    name: 'QRFORGE_SCAN_BATCH_MAX',
    key: 'scanBatchMax',
    default: '1000',
    description:
      'Most scans in one submission to a scan session (a phone resending what it read offline); more answers 413.',
    parse: integer('QRFORGE_SCAN_BATCH_MAX', 1, 100_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_MAX_PIECES',
    key: 'engravingMaxPieces',
    default: '10000',
    description:
      'Most pieces (items) in one engraving job; more answers 422 (split by serial range).',
    parse: integer('QRFORGE_ENGRAVING_MAX_PIECES', 1, 1_000_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_POLL_MS',
    key: 'engravingPollMs',
    default: '500',
    description: 'How often idle machines look for queued engraving jobs, in ms.',
    parse: integer('QRFORGE_ENGRAVING_POLL_MS', 10, 60_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_LEASE_MS',
    key: 'engravingLeaseMs',
    default: '30000',
    description:
      'How long a running engraving job stays claimed without news from its runner; after that another runner recovers it (the piece in progress is marked failed, never engraved twice).',
    parse: integer('QRFORGE_ENGRAVING_LEASE_MS', 1000, 3_600_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_PROBE_MS',
    key: 'engravingProbeMs',
    default: '15000',
    description:
      'How often machines not running a job are asked for their state (idle, alarm, offline), in ms; 0 turns it off. Each check opens a connection to the controller (a serial board resets on it).',
    parse: integer('QRFORGE_ENGRAVING_PROBE_MS', 0, 3_600_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_COMMAND_TIMEOUT_MS',
    key: 'engravingCommandTimeoutMs',
    default: '10000',
    description:
      "Longest wait for a laser controller's answer to a command (`$X`, `$$`, a line outside a job), in ms: a controller that stops answering (GRBL locked by a limit alarm answers nothing until reset) is reported, never waited for forever.",
    parse: integer('QRFORGE_ENGRAVING_COMMAND_TIMEOUT_MS', 100, 600_000),
  },
  {
    name: 'QRFORGE_ENGRAVING_ALLOW_LOCAL',
    key: 'engravingAllowLocal',
    default: 'false',
    description:
      'Allow TCP controllers on this machine (loopback), link-local (the cloud metadata service 169.254.169.254) and other non-LAN addresses: a serial-to-TCP bridge on this host, a test rig. Off: private LAN and public addresses only.',
    parse: boolean('QRFORGE_ENGRAVING_ALLOW_LOCAL'),
  },
  {
    name: 'QRFORGE_PUBLIC_URL',
    key: 'publicUrl',
    default: '',
    description:
      'Scheme and host that dynamic codes encode (`<url>/q/<slug>`), e.g. https://qr.example.com; empty: the host the request came to.',
    parse: (raw) => {
      if (!raw) return undefined;
      try {
        const url = new URL(raw);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
        return url.origin + url.pathname.replace(/\/+$/, '');
      } catch {
        throw new ConfigError('QRFORGE_PUBLIC_URL', raw, 'an http(s) URL');
      }
    },
  },
  {
    name: 'QRFORGE_LINK_CACHE_MS',
    key: 'linkCacheMs',
    default: '5000',
    description:
      'How long a process keeps a dynamic code it looked up, in ms: an edit is seen at once by the process that made it, by the others within this time.',
    parse: integer('QRFORGE_LINK_CACHE_MS', 0, 600_000),
  },
  {
    name: 'QRFORGE_PUBLIC_RATE_LIMIT_MAX',
    key: 'publicRateLimitMax',
    default: '300',
    description:
      'Requests per client IP in each rate-limit window to the public pages (/q/<slug>, /i/<uid>); over it, 429.',
    parse: integer('QRFORGE_PUBLIC_RATE_LIMIT_MAX', 1, 100_000_000),
  },
  {
    name: 'QRFORGE_SCAN_LOG_FLUSH_MS',
    key: 'scanLogFlushMs',
    default: '500',
    description:
      'Scan events of dynamic codes and item pages are written in batches this often, in ms (a crash loses at most this much).',
    parse: integer('QRFORGE_SCAN_LOG_FLUSH_MS', 10, 60_000),
  },
  {
    name: 'QRFORGE_GEOIP_DB',
    key: 'geoipDb',
    default: '',
    description:
      'Path to a local MaxMind/DB-IP country database (.mmdb) to record the country of scans; empty: no country. Never an external call.',
    parse: (raw) => raw || undefined,
  },
  {
    name: 'QRFORGE_FLAGS_FILE',
    key: 'flagsFile',
    default: '',
    description:
      'JSON file of feature flags, per tenant if wanted, re-read when it changes (docs/operations.md); QRFORGE_FLAG_<NAME>=true|false overrides one flag. Empty: defaults.',
    parse: (raw) => raw || undefined,
  },
  {
    name: 'QRFORGE_TRUST_PROXY',
    key: 'trustProxy',
    default: 'false',
    description:
      'Proxies whose X-Forwarded-For/-Proto/-Host to believe: false, true (every hop), or a comma list of addresses, CIDRs and the words loopback, linklocal, uniquelocal (e.g. uniquelocal behind a load balancer in a private network). Rate limits and scan analytics then see the client, not the proxy.',
    parse: (raw) => {
      try {
        trustProxy(raw);
      } catch (error) {
        throw new ConfigError('QRFORGE_TRUST_PROXY', raw, (error as Error).message);
      }
      return raw;
    },
  },
];

/** Variables that belong to other tools (the test harnesses) but share our prefix; never typos. */
const FOREIGN = new Set(['QRFORGE_REQUIRE_SERVICES', 'QRFORGE_E2E_PORT']);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = new Set(VARIABLES.map((v) => v.name));
  for (const key of FLAG_KEYS) {
    const name = flagVariable(key);
    known.add(name);
    const raw = env[name];
    if (raw !== undefined && raw !== 'true' && raw !== 'false')
      throw new ConfigError(name, raw, 'true or false');
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith('QRFORGE_') && !known.has(name) && !FOREIGN.has(name)) {
      throw new Error(
        `${name} is not a QR Forge setting (known: ${[...known].filter((k) => k.startsWith('QRFORGE_')).join(', ')})`,
      );
    }
  }
  const config: Partial<Record<keyof Config, unknown>> = {};
  for (const v of VARIABLES) config[v.key] = v.parse(env[v.name] ?? v.default);
  return config as Config;
}

/** `.env.example`: every variable with its default and what it does. */
export function envExample(): string {
  const lines = [
    '# QR Forge settings: every variable with its default. Generated from packages/server/src/config.ts.',
    '',
  ];
  for (const v of VARIABLES) lines.push(`# ${v.description}`, `${v.name}=${v.default}`, '');
  return lines.join('\n');
}
