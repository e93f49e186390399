/**
 * One contract, every driver: the local directory, S3 (against s3rver) and Azure Blob (against
 * Azurite), and a replicated pair. Each store is written and read through the same interface;
 * tampering behind a store's back must be caught on read.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { LocalStore } from '../src/platform/storage/local.js';
import { ReplicationOutbox } from '../src/platform/storage/outbox.js';
import { ReplicatedStore, replicationMetrics } from '../src/platform/storage/replicated.js';
import {
  IntegrityError,
  StorageConflictError,
  StorageKeyError,
  type ObjectStore,
} from '../src/platform/storage/storage.js';
import { Registry } from 'prom-client';
import {
  startAzurite,
  startS3rver,
  type AzureServer,
  type S3Server,
} from './helpers/object-servers.js';

let folder: string;
let s3: S3Server;
let azure: AzureServer;
let database: DatabaseHandle;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'qrforge-contract-'));
  await writeFile(join(folder, 'a-file'), '');
  [s3, azure] = await Promise.all([startS3rver(), startAzurite()]);
  database = await openDatabase({ databaseUrl: undefined, dataDir: join(folder, 'db') });
  await database.migrate();
}, 60_000);

afterAll(async () => {
  await Promise.all([s3?.close(), azure?.close(), database?.close()]);
  await rm(folder, { recursive: true, force: true });
});

interface Driver {
  name: string;
  open(): ObjectStore;
  /** A store whose bucket/container/folder cannot be used. */
  broken(): ObjectStore;
  /** A store on a bucket/container/folder that does not exist yet. */
  fresh(name: string): ObjectStore;
  /** Replaces the object's bytes behind the store's back, keeping its recorded SHA-256. */
  tamper(key: string, sha256: string): Promise<void>;
  presigns: boolean;
}

const common = { tryTimeoutMs: 5000, maxAttempts: 2 };
const s3Store = (prefix: string, bucket = s3.bucket) => s3.store({ prefix, bucket, ...common });
const azureStore = (prefix: string, container = azure.container) =>
  azure.store({ prefix, container, ...common });

/** Writes `tampered` under the key with the given recorded SHA-256, bypassing the driver. */
async function tamperS3(path: string, sha256: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: s3.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await client.send(
    new PutObjectCommand({ Bucket: s3.bucket, Key: path, Body: 'tampered', Metadata: { sha256 } }),
  );
  client.destroy();
}

async function tamperAzure(path: string, sha256: string): Promise<void> {
  await BlobServiceClient.fromConnectionString(azure.connectionString())
    .getContainerClient(azure.container)
    .getBlockBlobClient(path)
    .upload('tampered', 8, { metadata: { sha256 } });
}

const replicated = (bucket = s3.bucket, container = azure.container) =>
  new ReplicatedStore(
    s3Store('replicated', bucket),
    azureStore('replicated', container),
    new ReplicationOutbox(database.db),
    replicationMetrics(new Registry()),
  );

const drivers: Driver[] = [
  {
    name: 'local directory',
    open: () => new LocalStore(join(folder, 'local')),
    // A folder below a regular file can never be created.
    broken: () => new LocalStore(join(folder, 'a-file', 'objects')),
    fresh: (name) => new LocalStore(join(folder, name, 'objects')),
    tamper: (key) => writeFile(join(folder, 'local', key), 'tampered'),
    presigns: false,
  },
  {
    name: 'S3 (s3rver)',
    open: () => s3Store('contract'),
    broken: () => s3Store('contract', 'no-such-bucket'),
    fresh: (name) => s3Store('contract', name),
    tamper: (key, sha256) => tamperS3(`contract/${key}`, sha256),
    presigns: true,
  },
  {
    name: 'Azure Blob (Azurite)',
    open: () => azureStore('contract'),
    broken: () => azureStore('contract', 'no-such-container'),
    fresh: (name) => azureStore('contract', name),
    tamper: (key, sha256) => tamperAzure(`contract/${key}`, sha256),
    presigns: true,
  },
  {
    name: 'replicated (S3 primary, Azure backup)',
    open: () => replicated(),
    broken: () => replicated('no-such-bucket'),
    fresh: (name) => replicated(name, name),
    // Both copies: a read must not be rescued by the other one here.
    async tamper(key, sha256) {
      await tamperS3(`replicated/${key}`, sha256);
      await tamperAzure(`replicated/${key}`, sha256);
    },
    presigns: true,
  },
];

describe.each(drivers)('object store contract: $name', (driver) => {
  const tag = randomBytes(4).toString('hex');
  const key = (name: string) => `tenant-${tag}/codes/${name}`;

  it('stores bytes and reads them back with type, size and SHA-256', async () => {
    const store = driver.open();
    const bytes = randomBytes(3000);
    const info = await store.put(key('a.png'), bytes, 'image/png');
    expect(info).toMatchObject({ key: key('a.png'), size: 3000, contentType: 'image/png' });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.head(key('a.png'))).toEqual(info);
    const object = await store.get(key('a.png'));
    expect(object).toMatchObject(info);
    expect(Buffer.compare(await buffer(object!.body), bytes)).toBe(0);
  });

  it('answers undefined for an absent key, and deleting one is not an error', async () => {
    const store = driver.open();
    expect(await store.get(key('absent'))).toBeUndefined();
    expect(await store.head(key('absent'))).toBeUndefined();
    await store.delete(key('absent'));
  });

  it('streams a 20 MiB object of unknown length in and out (several parts)', async () => {
    const store = driver.open();
    const chunks = Array.from({ length: 20 }, () => randomBytes(1024 * 1024));
    const info = await store.putStream(key('big.zip'), Readable.from(chunks), 'application/zip');
    expect(info.size).toBe(20 * 1024 * 1024);
    const back = await buffer((await store.get(key('big.zip')))!.body);
    expect(Buffer.compare(back, Buffer.concat(chunks))).toBe(0);
  }, 60_000);

  it('replaces an object written again under the same key', async () => {
    const store = driver.open();
    await store.put(key('twice'), Buffer.from('first'), 'text/plain');
    const second = await store.put(key('twice'), Buffer.from('second!'), 'text/csv');
    expect(await store.head(key('twice'))).toEqual(second);
    expect((await buffer((await store.get(key('twice')))!.body)).toString()).toBe('second!');
  });

  it('lists keys under a prefix and deletes them', async () => {
    const store = driver.open();
    await store.put(key('list/1'), Buffer.from('1'), 'text/plain');
    await store.put(key('list/2'), Buffer.from('2'), 'text/plain');
    const listed: string[] = [];
    for await (const k of store.list(`tenant-${tag}/codes/list/`)) listed.push(k);
    expect(listed.sort()).toEqual([key('list/1'), key('list/2')]);
    await store.delete(key('list/1'));
    expect(await store.head(key('list/1'))).toBeUndefined();
    expect(await store.head(key('list/2'))).toBeDefined();
  });

  it('fails the read stream with an IntegrityError when the bytes were changed', async () => {
    const store = driver.open();
    const info = await store.put(key('tamper'), randomBytes(500), 'image/png');
    if (store instanceof ReplicatedStore) await store.settled();
    await driver.tamper(key('tamper'), info.sha256);
    const object = await store.get(key('tamper'));
    await expect(buffer(object!.body)).rejects.toBeInstanceOf(IntegrityError);
  });

  it(
    driver.presigns
      ? 'signs a download URL that serves the bytes'
      : 'has no URL of its own to sign',
    async () => {
      const store = driver.open();
      const bytes = randomBytes(700);
      await store.put(key('signed.png'), bytes, 'image/png');
      const url = await store.presign(key('signed.png'), {
        expiresInSeconds: 60,
        filename: 'code.png',
      });
      if (!driver.presigns) return expect(url).toBeUndefined();
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), bytes)).toBe(0);
    },
  );

  it('refuses keys that could escape their namespace', async () => {
    const store = driver.open();
    await expect(store.put('../escape', Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(
      StorageKeyError,
    );
    await expect(store.get('/absolute')).rejects.toBeInstanceOf(StorageKeyError);
  });

  it('fails ping when its bucket, container or folder is unusable', async () => {
    await driver.open().ping();
    await expect(driver.broken().ping()).rejects.toThrow();
  });

  it('create makes a missing bucket, container or folder usable, and may run again', async () => {
    const store = driver.fresh(`fresh-${tag}`);
    if (store.provider !== 'file') await expect(store.ping()).rejects.toThrow();
    await store.create();
    await store.create();
    await store.ping();
    const info = await store.put(key('first.txt'), Buffer.from('first'), 'text/plain');
    expect(info.size).toBe(5);
  });
});

/**
 * Create-only writes, on the stores whose server enforces `If-None-Match: *` (s3rver ignores the
 * header, so S3's side is shown at the wire in resilience/storage-faults.test.ts); the replicated
 * pair here has Azure as its primary, which decides.
 */
const createOnly: { name: string; open: () => ObjectStore }[] = [
  { name: 'local directory', open: () => new LocalStore(join(folder, 'local')) },
  { name: 'Azure Blob (Azurite)', open: () => azureStore('contract') },
  {
    name: 'replicated (Azure primary, S3 backup)',
    open: () =>
      new ReplicatedStore(
        azureStore('create-only'),
        s3Store('create-only'),
        new ReplicationOutbox(database.db),
        replicationMetrics(new Registry()),
      ),
  },
];

describe.each(createOnly)('create-only writes: $name', ({ open }) => {
  const tag = randomBytes(4).toString('hex');
  const key = (name: string) => `tenant-${tag}/once/${name}`;
  const text = async (store: ObjectStore, k: string) =>
    (await buffer((await store.get(k))!.body)).toString();

  it('writes a new key; the same bytes again are a replay, other bytes a conflict', async () => {
    const store = open();
    const first = await store.put(key('a.txt'), Buffer.from('first'), 'text/plain', {
      ifAbsent: true,
    });
    const again = await store.put(key('a.txt'), Buffer.from('first'), 'text/plain', {
      ifAbsent: true,
    });
    expect(again).toEqual(first);
    const refused = store.put(key('a.txt'), Buffer.from('other'), 'text/plain', {
      ifAbsent: true,
    });
    await expect(refused).rejects.toBeInstanceOf(StorageConflictError);
    await expect(refused).rejects.toThrow(key('a.txt'));
    expect(await text(store, key('a.txt'))).toBe('first');
    // The control: without ifAbsent the same write replaces the object.
    await store.put(key('a.txt'), Buffer.from('other'), 'text/plain');
    expect(await text(store, key('a.txt'))).toBe('other');
  });

  it('refuses a streamed write of other bytes and keeps the first', async () => {
    const store = open();
    const chunks = [randomBytes(64 * 1024), randomBytes(64 * 1024)];
    const info = await store.putStream(key('b.zip'), Readable.from(chunks), 'application/zip', {
      ifAbsent: true,
    });
    const replay = await store.putStream(key('b.zip'), Readable.from(chunks), 'application/zip', {
      ifAbsent: true,
    });
    expect(replay.sha256).toBe(info.sha256);
    await expect(
      store.putStream(key('b.zip'), Readable.from([randomBytes(10)]), 'application/zip', {
        ifAbsent: true,
      }),
    ).rejects.toBeInstanceOf(StorageConflictError);
    expect((await store.head(key('b.zip')))!.sha256).toBe(info.sha256);
  });

  it('lets exactly one of 8 concurrent writers of one key win, and keeps its bytes', async () => {
    const store = open();
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.from(`writer ${i} ${tag}`));
    const results = await Promise.allSettled(
      bodies.map((body) => store.put(key('race'), body, 'text/plain', { ifAbsent: true })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StorageConflictError);
    expect(await text(store, key('race'))).toBe(bodies[won[0]].toString());
  });
});
