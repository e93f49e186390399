/**
 * Primary + backup replication with real servers: S3 primary (s3rver) and Azure backup
 * (Azurite), each behind a fault-injecting proxy. A backup outage loses nothing and shows as
 * "degraded"; a primary outage is answered from the backup; a crash between the two writes is
 * repaired from the outbox; reconcile leaves both stores equal. Then the app end to end: codes
 * and a batch stored, listed and downloaded on S3 + Azure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { unzipSync } from 'fflate';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { buildApp, type App } from '../../src/app.js';
import { closeRenderPool } from '../../src/modules/generate/batch/pool.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { AzureStore } from '../../src/platform/storage/azure.js';
import { ReplicationOutbox } from '../../src/platform/storage/outbox.js';
import { reconcile } from '../../src/platform/storage/reconcile.js';
import { ReplicatedStore, replicationMetrics } from '../../src/platform/storage/replicated.js';
import type { ObjectStore } from '../../src/platform/storage/storage.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { decodeFile } from '../helpers/decode.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import {
  startAzurite,
  startS3rver,
  type AzureServer,
  type S3Server,
} from '../helpers/object-servers.js';

let folder: string;
let s3: S3Server;
let azure: AzureServer;
let s3Proxy: FaultProxy;
let azureProxy: FaultProxy;
let database: DatabaseHandle;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'qrforge-replication-'));
  [s3, azure] = await Promise.all([startS3rver(), startAzurite()]);
  s3Proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
  azureProxy = await FaultProxy.start({ host: '127.0.0.1', port: azure.port });
  database = await openDatabase({ databaseUrl: undefined, dataDir: join(folder, 'db') });
  await database.migrate();
}, 60_000);

afterAll(async () => {
  await Promise.all([s3Proxy?.close(), azureProxy?.close(), database?.close()]);
  await Promise.all([s3?.close(), azure?.close()]);
  await rm(folder, { recursive: true, force: true });
});

afterEach(async () => {
  await s3Proxy.set({ kind: 'pass' });
  await azureProxy.set({ kind: 'pass' });
});

const fast = { tryTimeoutMs: 1000, maxAttempts: 2 };
const primaryAt = (prefix: string, endpoint = s3Proxy.url) =>
  s3.store({ prefix, endpoint, ...fast });
const backupAt = (prefix: string, endpoint = azureProxy.url) =>
  azure.store({ prefix, endpoint, ...fast });

function pair(prefix: string): {
  store: ReplicatedStore;
  primary: ObjectStore;
  backup: ObjectStore;
  registry: Registry;
} {
  const registry = new Registry();
  const store = new ReplicatedStore(
    primaryAt(prefix),
    backupAt(prefix),
    new ReplicationOutbox(database.db),
    replicationMetrics(registry),
  );
  // Direct views of each side, past the proxies.
  return {
    store,
    primary: primaryAt(prefix, s3.endpoint),
    backup: backupAt(prefix, azure.endpoint),
    registry,
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const metric = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);

/** Every key of either side is on both, with equal SHA-256 and intact bytes. */
async function assertEqualStores(primary: ObjectStore, backup: ObjectStore): Promise<number> {
  const keys = new Set<string>();
  for await (const key of primary.list()) keys.add(key);
  for await (const key of backup.list()) keys.add(key);
  for (const key of keys) {
    const [a, b] = [await primary.get(key), await backup.get(key)];
    expect(a, `${key} on the primary`).toBeDefined();
    expect(b, `${key} on the backup`).toBeDefined();
    const [bytesA, bytesB] = [await buffer(a!.body), await buffer(b!.body)];
    expect(sha256(bytesA)).toBe(sha256(bytesB));
  }
  return keys.size;
}

describe('replication', () => {
  it('keeps writing through a backup outage, reports degraded, and catches up afterwards', async () => {
    const { store, primary, backup, registry } = pair('outage');
    await azureProxy.set({ kind: 'refuse' });
    const written = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const bytes = randomBytes(1000 + i);
      const info = await store.put(`t/${i}.png`, bytes, 'image/png');
      written.set(info.key, sha256(bytes));
    }
    await store.settled();
    expect((await store.outbox.status()).pending).toBe(20);
    await expect(store.degraded()).rejects.toThrow();
    expect(await metric(registry, 'storage_replication_total')).toBe(20); // 20 failed copies

    await azureProxy.set({ kind: 'pass' });
    await store.outbox.expedite();
    await store.drain();
    expect((await store.outbox.status()).pending).toBe(0);
    await store.degraded(); // healthy again
    for (const [key, digest] of written) {
      const copy = await backup.get(key);
      expect(sha256(await buffer(copy!.body))).toBe(digest);
    }
    expect(await assertEqualStores(primary, backup)).toBe(20);
    figure(
      'Replication',
      'backup down during 20 writes: all 20 acknowledged from the primary, 20 queued in the outbox, 20 of 20 on both with equal sha256 after recovery',
    );
  });

  it('answers reads from the backup while the primary is down', async () => {
    const { store, registry } = pair('failover');
    const bytes = randomBytes(2000);
    await store.put('t/code.png', bytes, 'image/png');
    await store.settled();
    await s3Proxy.set({ kind: 'refuse' });
    const object = await store.get('t/code.png');
    expect(sha256(await buffer(object!.body))).toBe(sha256(bytes));
    expect(await store.head('t/code.png')).toMatchObject({ size: 2000 });
    expect(await metric(registry, 'storage_read_fallbacks_total')).toBe(2);
  });

  it('keeps a deleted object deleted while the backup is down, and deletes it there later', async () => {
    const { store, backup } = pair('delete');
    await store.put('t/gone.png', randomBytes(100), 'image/png');
    await store.settled();
    await azureProxy.set({ kind: 'refuse' });
    await store.delete('t/gone.png');
    expect(await store.head('t/gone.png')).toBeUndefined(); // not read back from the backup
    expect(await store.get('t/gone.png')).toBeUndefined();
    expect(await backup.head('t/gone.png')).toBeDefined();
    await azureProxy.set({ kind: 'pass' });
    await store.outbox.expedite();
    await store.drain();
    expect(await backup.head('t/gone.png')).toBeUndefined();
  });

  it('a delete right after a put is not overtaken by the put’s slow backup copy', async () => {
    const { store, backup } = pair('put-delete');
    // The put's copy to the backup is slow; the delete's is not.
    await azureProxy.set({ kind: 'delay', delayMs: 500, times: 1 });
    await store.put('t/brief.png', randomBytes(100), 'image/png');
    await store.delete('t/brief.png');
    await store.settled();
    expect(await backup.head('t/brief.png')).toBeUndefined();
    expect(await store.head('t/brief.png')).toBeUndefined();
  });

  it('copies an object whose process died between the primary write and the copy', async () => {
    const { primary, backup } = pair('crash');
    // The first process recorded its intent and wrote the primary, then died.
    const outbox = new ReplicationOutbox(database.db);
    await outbox.record('t/orphan.png', 'put');
    const bytes = randomBytes(1500);
    await primary.put('t/orphan.png', bytes, 'image/png');
    expect(await backup.head('t/orphan.png')).toBeUndefined();
    // The next process works through the outbox once the lease of the dead one runs out.
    const { store } = pair('crash');
    await store.outbox.expedite();
    await store.drain();
    const copy = await backup.get('t/orphan.png');
    expect(sha256(await buffer(copy!.body))).toBe(sha256(bytes));
    figure(
      'Replication',
      'crash between the two writes: the next process copies it from the outbox',
    );
  });

  it('reconcile repairs missing, different and corrupt objects on either side', async () => {
    const { store, primary, backup } = pair('reconcile');
    for (let i = 0; i < 10; i++) await store.put(`t/${i}`, randomBytes(500), 'image/png');
    await store.settled();
    await backup.delete('t/1'); // missing on the backup
    await primary.delete('t/2'); // missing on the primary
    await primary.put('t/3', randomBytes(600), 'image/png'); // differs: the primary wins
    await backup.put('t/extra', randomBytes(50), 'image/png'); // only on the backup
    // Corrupt on the backup: bytes replaced, recorded SHA-256 kept.
    const recorded = (await backup.head('t/4'))!.sha256;
    await (backup as AzureStore).put('t/4', Buffer.from('corrupt'), 'image/png');
    await setRecordedSha256(backup as AzureStore, 't/4', recorded);

    const report = await reconcile(store, { deep: true });
    expect(report).toMatchObject({
      checked: 11,
      copiedToBackup: 3, // t/1, t/3, t/4
      copiedToPrimary: 2, // t/2, t/extra
      corrupt: 1,
      failed: [],
    });
    expect(await assertEqualStores(primary, backup)).toBe(11);
    expect(await reconcile(store, { deep: true })).toMatchObject({
      checked: 11,
      copiedToBackup: 0,
      copiedToPrimary: 0,
      corrupt: 0,
    });
    figure(
      'Replication',
      'reconcile: 5 damaged of 11 (missing either side, different, corrupt) repaired -> 11 of 11 on both with equal sha256',
    );
  });
});

async function setRecordedSha256(store: AzureStore, key: string, sha256: string) {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(azure.connectionString())
    .getContainerClient(azure.container)
    .getBlobClient(`reconcile/${key}`)
    .setMetadata({ sha256 });
  expect((await store.head(key))!.sha256).toBe(sha256);
}

describe('the app on S3 primary + Azure backup', () => {
  let app: App;
  let headers: Record<string, string>;
  let cleanupEnv: () => void;

  beforeAll(async () => {
    const saved = { ...process.env };
    Object.assign(process.env, s3.env);
    cleanupEnv = () => {
      process.env = saved;
    };
    app = await buildApp(
      testConfig({
        jwtSecret: 'replication-test-secret-replication-0123',
        storagePrimary: s3.location('app', s3Proxy.url),
        storageBackup: `azure://${azure.container}/app`,
        azureConnectionString: azure.connectionString(azureProxy.url),
        storageTryTimeoutMs: 1000,
        storageMaxAttempts: 2,
        storageReplicationIntervalMs: 100,
      }),
      { database },
    );
    app.queue!.start(app.jobHandlers);
    await twoTenants(app);
    headers = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  }, 30_000);

  afterAll(async () => {
    await app?.queue!.close(1000);
    await app?.server.close();
    await closeRenderPool();
    cleanupEnv?.();
  });

  const ready = async () => (await app.server.inject({ url: '/ready' })).json<{ status: string }>();

  it('stores, lists and downloads codes; a backup outage is "degraded", not down', async () => {
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers,
      payload: { data: 'https://example.com/replicated', format: 'png', store: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { downloadUrl } = created.json<{ downloadUrl: string }>();
    const file = await app.server.inject({ url: downloadUrl, headers });
    expect(await decodeFile(file.rawPayload, 'image/png')).toEqual([
      'https://example.com/replicated',
    ]);
    expect((await ready()).status).toBe('ready');

    // The signed link is S3's own presigned URL: the bytes come straight from the service.
    const id = created.json<{ id: string }>().id;
    const link = await app.server.inject({ url: `/api/v1/codes/${id}/download-url`, headers });
    const { url } = link.json<{ url: string }>();
    expect(url.startsWith(s3Proxy.url)).toBe(true);
    expect(url).toContain('X-Amz-Signature=');
    const direct = await fetch(url);
    expect(direct.status).toBe(200);
    expect(await decodeFile(Buffer.from(await direct.arrayBuffer()), 'image/png')).toEqual([
      'https://example.com/replicated',
    ]);

    await azureProxy.set({ kind: 'refuse' });
    const during = await app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers,
      payload: { data: 'written during the outage', format: 'svg', store: true },
    });
    expect(during.statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    const degraded = await app.server.inject({ url: '/ready' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({
      status: 'degraded',
      checks: { storage: { ok: true }, 'storage-backup': { ok: false } },
    });

    await azureProxy.set({ kind: 'pass' });
    const deadline = Date.now() + 15_000;
    while ((await ready()).status !== 'ready' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect((await ready()).status).toBe('ready');

    // With the primary down, the stored file comes from the backup.
    await s3Proxy.set({ kind: 'refuse' });
    const fromBackup = await app.server.inject({
      url: during.json<{ downloadUrl: string }>().downloadUrl,
      headers,
    });
    expect(fromBackup.statusCode).toBe(200);
    expect(await decodeFile(fromBackup.rawPayload, 'image/svg+xml')).toEqual([
      'written during the outage',
    ]);
    const notReady = await app.server.inject({ url: '/ready' });
    expect(notReady.statusCode).toBe(503);
  }, 60_000);

  it('runs a batch into S3 and downloads its ZIP', async () => {
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers,
      payload: { rows: [{ data: 'one' }, { data: 'two' }, { data: 'three' }], formats: ['png'] },
    });
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json<{ id: string }>().id;
    let batch: { status: string; files: Record<string, { url: string }> } | undefined;
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      batch = (await app.server.inject({ url: `/api/v1/batches/${id}`, headers })).json();
      if (['completed', 'failed'].includes(batch!.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(batch!.status).toBe('completed');
    const zip = unzipSync(
      (await app.server.inject({ url: batch!.files.zip.url, headers })).rawPayload,
    );
    expect(Object.keys(zip).sort()).toEqual(['qr-00001.png', 'qr-00002.png', 'qr-00003.png']);
    expect(await decodeFile(zip['qr-00002.png'], 'image/png')).toEqual(['two']);
  }, 60_000);
});
