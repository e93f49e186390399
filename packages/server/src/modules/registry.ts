/**
 * Domain modules (generate, inventory, engraving, scanning): each brings its routes and its job
 * handlers. QRFORGE_MODULES picks the ones a process serves, so a deployment can scale one domain
 * apart from the others with the same code.
 */
import type { Flags } from '../platform/flags/flags.js';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config, ModuleName } from '../config.js';
import type { Guard } from '../platform/auth/guard.js';
import type { DatabaseHandle } from '../platform/db/database.js';
import type { Metrics } from '../platform/observability/metrics.js';
import type { JobHandlers, JobQueue } from '../platform/queue/queue.js';
import type { FastPaths } from '../platform/http/fast-paths.js';
import type { HotCache } from '../platform/http/hot-cache.js';
import type { DownloadLinks } from '../platform/storage/download-links.js';
import type { ObjectStore } from '../platform/storage/storage.js';
import { generateModule } from './generate/index.js';
import { engravingModule } from './engraving/index.js';
import { inventoryModule } from './inventory/index.js';
import { linksModule } from './links/index.js';
import { scanningModule } from './scanning/index.js';

/** What a module gets from the platform, in the HTTP process and in workers alike. */
export interface ModuleContext {
  config: Config;
  database: DatabaseHandle;
  queue: JobQueue;
  storage: ObjectStore;
  /** Signed, short-lived download links for stored objects. */
  downloads: DownloadLinks;
  /** Signed, immutable answers served before the request pipeline (serve only). */
  hotCache?: HotCache;
  /** Handlers answering before Fastify's pipeline (serve only; see fast-paths.ts). */
  fastPaths?: FastPaths;
  metrics: Metrics;
  /** The server's signing secret; derive a key per purpose from it (HKDF). */
  secret: Uint8Array;
  /** Feature flags (OpenFeature); evaluate per tenant. */
  flags: Flags;
  redis?: Redis;
}

export interface DomainModule {
  name: ModuleName;
  /** OpenAPI tags of the module's routes. */
  tags?: { name: string; description: string }[];
  routes?(app: FastifyInstance, context: ModuleContext & { guard: Guard }): Promise<void>;
  /** Handlers of the module's job types, named `<module>.<job>`. */
  jobs?(context: ModuleContext): JobHandlers;
  /**
   * Work the module runs on its own (the engraving runner drives machines): started where jobs
   * run — `qrforge worker`, or `serve` on the embedded defaults.
   */
  background?(context: ModuleContext): Background;
}

export interface Background {
  name: string;
  start(): void;
  stop(): Promise<void>;
  /** The engraving runner, for tests that drive it by hand. */
  runner?: import('./engraving/runner.js').EngravingRunner;
}

/** Every module this build has, in the order their routes are registered. */
export const DOMAIN_MODULES: DomainModule[] = [
  generateModule,
  inventoryModule,
  engravingModule,
  scanningModule,
  linksModule,
];

export function enabledModules(config: Config, available = DOMAIN_MODULES): DomainModule[] {
  return available.filter((m) => config.modules.includes(m.name));
}

/** The job handlers of these modules, merged; a job type defined twice is a programming error. */
export function jobHandlers(modules: DomainModule[], context: ModuleContext): JobHandlers {
  const handlers: JobHandlers = {};
  for (const module of modules) {
    for (const [type, handler] of Object.entries(module.jobs?.(context) ?? {})) {
      if (!type.startsWith(`${module.name}.`))
        throw new Error(
          `Job type ${type} of module ${module.name} must start with "${module.name}."`,
        );
      if (handlers[type]) throw new Error(`Job type ${type} is defined twice`);
      handlers[type] = handler;
    }
  }
  return handlers;
}

/** The background work of these modules (not started). */
export function backgrounds(modules: DomainModule[], context: ModuleContext): Background[] {
  return modules.flatMap((module) => (module.background ? [module.background(context)] : []));
}
