/**
 * Upload metrics for any store, named as in the seed documents:
 * `storage_uploads_total{provider,result}` and `storage_upload_duration_seconds{provider}`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ObjectInfo, ObjectStore } from './storage.js';

/** Returns a function that wraps stores with the upload metrics (one set for all stores). */
export function storageMetrics(registry: Registry): (store: ObjectStore) => ObjectStore {
  const uploads = new Counter({
    name: 'storage_uploads_total',
    help: 'Object uploads by storage provider and result (ok, error).',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'storage_upload_duration_seconds',
    help: 'Time to store one object, by storage provider.',
    labelNames: ['provider'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  return (store) => instrument(store, uploads, duration);
}

function instrument(
  store: ObjectStore,
  uploads: Counter<'provider' | 'result'>,
  duration: Histogram<'provider'>,
): ObjectStore {
  const timed = async (upload: () => Promise<ObjectInfo>): Promise<ObjectInfo> => {
    const stop = duration.startTimer({ provider: store.provider });
    try {
      const info = await upload();
      uploads.inc({ provider: store.provider, result: 'ok' });
      return info;
    } catch (error) {
      uploads.inc({ provider: store.provider, result: 'error' });
      throw error;
    } finally {
      stop();
    }
  };
  return {
    provider: store.provider,
    put: (key, bytes, type, options) => timed(() => store.put(key, bytes, type, options)),
    putStream: (key, body, type, options) => timed(() => store.putStream(key, body, type, options)),
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    delete: (key) => store.delete(key),
    ping: () => store.ping(),
    create: () => store.create(),
    list: (prefix) => store.list(prefix),
    presign: (key, options) => store.presign(key, options),
  };
}
