/**
 * The process's object storage from its configuration: STORAGE_PRIMARY, and with STORAGE_BACKUP
 * a replicated pair (outbox in the database, retried every QRFORGE_STORAGE_REPLICATION_INTERVAL_MS).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.js';
import type { Database } from '../db/database.js';
import { storageMetrics } from './metrics.js';
import { openStore } from './open.js';
import { ReplicationOutbox } from './outbox.js';
import { ReplicatedStore, replicationMetrics } from './replicated.js';
import type { ObjectStore } from './storage.js';

export interface Storage {
  store: ObjectStore;
  /** Present with a backup store: its health and the replication loop. */
  replicated?: ReplicatedStore;
}

/** The store settings of this configuration (location aside). */
export function storeSettings(config: Config) {
  return {
    dataDir: config.dataDir,
    azureConnectionString: config.azureConnectionString,
    tryTimeoutMs: config.storageTryTimeoutMs,
    maxAttempts: config.storageMaxAttempts,
  };
}

export async function openStorage(
  config: Config,
  db: Database,
  registry: Registry,
  log?: FastifyBaseLogger,
): Promise<Storage> {
  const instrument = storageMetrics(registry);
  const settings = storeSettings(config);
  const primary = instrument(await openStore(config.storagePrimary, settings, 'STORAGE_PRIMARY'));
  if (!config.storageBackup) return { store: primary };
  const backup = instrument(await openStore(config.storageBackup, settings, 'STORAGE_BACKUP'));
  const replicated = new ReplicatedStore(
    primary,
    backup,
    new ReplicationOutbox(db),
    replicationMetrics(registry),
    log,
  );
  return { store: replicated, replicated };
}
