/**
 * Storage under faults: a fault-injecting TCP proxy between the driver and its server (s3rver,
 * Azurite) answers 503, resets, stalls, or flips a byte of a body. Uploads must be retried to
 * success within the attempt budget, never hang past the per-try timeout, and never store or
 * return bytes that differ from the source.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import {
  IntegrityError,
  StorageConflictError,
  type ObjectStore,
} from '../../src/platform/storage/storage.js';
import { LocalStore } from '../../src/platform/storage/local.js';
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

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'qrforge-faults-'));
  [s3, azure] = await Promise.all([startS3rver(), startAzurite()]);
  s3Proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
  azureProxy = await FaultProxy.start({ host: '127.0.0.1', port: azure.port });
}, 60_000);

afterAll(async () => {
  await Promise.all([s3Proxy?.close(), azureProxy?.close()]);
  await Promise.all([s3?.close(), azure?.close()]);
  await rm(folder, { recursive: true, force: true });
});

afterEach(async () => {
  await s3Proxy.set({ kind: 'pass' });
  await azureProxy.set({ kind: 'pass' });
});

interface Target {
  name: string;
  proxy: () => FaultProxy;
  /** The driver through the proxy. */
  faulty(options?: { tryTimeoutMs?: number; maxAttempts?: number }): ObjectStore;
  /** The same store reached directly, to see what the server really holds. */
  direct(): ObjectStore;
}

const targets: Target[] = [
  {
    name: 'S3 (s3rver)',
    proxy: () => s3Proxy,
    faulty: (o = {}) => s3.store({ prefix: 'faults', endpoint: s3Proxy.url, ...o }),
    direct: () => s3.store({ prefix: 'faults' }),
  },
  {
    name: 'Azure Blob (Azurite)',
    proxy: () => azureProxy,
    faulty: (o = {}) => azure.store({ prefix: 'faults', endpoint: azureProxy.url, ...o }),
    direct: () => azure.store({ prefix: 'faults' }),
  },
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(targets)('storage faults: $name', (target) => {
  const key = (name: string) => `t/${target.name.split(' ')[0]}-${name}`;

  it.each(['http503', 'reset', 'refuse'] as const)(
    'retries an upload through two %s faults and stores it once',
    async (kind) => {
      const store = target.faulty();
      const bytes = randomBytes(4000);
      await target.proxy().set({ kind, times: 2 });
      const info = await store.put(key(kind), bytes, 'image/png');
      expect(target.proxy().injected).toBeGreaterThanOrEqual(2);
      expect(info.sha256).toBe(sha256(bytes));
      const stored = await buffer((await target.direct().get(key(kind)))!.body);
      expect(sha256(stored)).toBe(sha256(bytes));
      figure(
        'Storage retries',
        `${target.name}: ${target.proxy().injected} x ${kind} -> stored once, sha256 equal`,
      );
    },
  );

  it('gives up on a stalled server after its attempts, within the per-try timeouts', async () => {
    const store = target.faulty({ tryTimeoutMs: 400, maxAttempts: 2 });
    await target.proxy().set({ kind: 'stall' });
    const started = Date.now();
    await expect(store.put(key('stall'), randomBytes(100), 'image/png')).rejects.toThrow();
    const elapsed = Date.now() - started;
    // Two tries of 400 ms plus back-off; without a per-try timeout this would hang.
    expect(elapsed).toBeLessThan(8000);
    figure(
      'Storage retries',
      `${target.name}: stalled server -> failed after ${elapsed} ms (2 tries x 400 ms per-try timeout), never hangs`,
    );
  });

  it('waits out a slow server within the per-try limit instead of retrying', async () => {
    const store = target.faulty({ tryTimeoutMs: 2000 });
    const bytes = randomBytes(1000);
    await target.proxy().set({ kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const info = await store.put(key('delay'), bytes, 'image/png');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(target.proxy().injected).toBeGreaterThanOrEqual(1);
    expect(info.sha256).toBe(sha256(bytes));
  });

  it('never stores an upload whose bytes were changed in transit', async () => {
    const store = target.faulty();
    const bytes = randomBytes(4000);
    await target.proxy().set({ kind: 'flip', direction: 'request', times: 1 });
    const info = await store.put(key('flip-up'), bytes, 'image/png');
    expect(target.proxy().injected).toBe(1);
    expect(info.sha256).toBe(sha256(bytes));
    const stored = await buffer((await target.direct().get(key('flip-up')))!.body);
    expect(sha256(stored)).toBe(sha256(bytes));
    figure(
      'Storage integrity',
      `${target.name}: 1 byte flipped on upload -> refused by the server, retried, stored sha256 == source`,
    );
  });

  it('fails a download whose bytes were changed in transit, and the next read is good', async () => {
    const bytes = randomBytes(4000);
    await target.direct().put(key('flip-down'), bytes, 'image/png');
    const store = target.faulty();
    await target.proxy().set({ kind: 'flip', direction: 'response', times: 1 });
    const corrupt = await store.get(key('flip-down'));
    await expect(buffer(corrupt!.body)).rejects.toBeInstanceOf(IntegrityError);
    expect(target.proxy().injected).toBe(1);
    const good = await buffer((await store.get(key('flip-down')))!.body);
    expect(sha256(good)).toBe(sha256(bytes));
    figure(
      'Storage integrity',
      `${target.name}: 1 byte flipped on download -> IntegrityError, next read good`,
    );
  });
});

/** S3's answers to a create-only write (s3rver ignores If-None-Match, so the proxy gives them). */
const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
const PRECONDITION_FAILED = s3Error(
  'PreconditionFailed',
  'At least one of the pre-conditions you specified did not hold',
);
const CONDITIONAL_CONFLICT = s3Error(
  'ConditionalRequestConflict',
  'A conflicting conditional operation is currently in progress against this resource.',
);

describe('create-only writes under faults', () => {
  const ifNoneMatch = (head: string) => /\r\nif-none-match: \*\r\n/i.test(head);

  it('S3: sends If-None-Match: * on PutObject and on CompleteMultipartUpload, only when asked', async () => {
    const store = s3.store({ prefix: 'faults', endpoint: s3Proxy.url });
    await s3Proxy.set({ kind: 'pass' });
    await store.put('t/once-put', randomBytes(100), 'image/png', { ifAbsent: true });
    await store.putStream(
      't/once-multipart',
      // Over the 8 MiB part size: a multipart upload.
      Readable.from([randomBytes(9 * 1024 * 1024)]),
      'application/zip',
      { ifAbsent: true },
    );
    const conditional = s3Proxy.requests.filter(ifNoneMatch).map((h) => h.split(' ')[0]);
    expect(conditional).toEqual(['PUT', 'POST']);
    expect(s3Proxy.requests.find((h) => h.startsWith('POST') && ifNoneMatch(h))).toMatch(
      /uploadId=/,
    );
    // The control: a plain write carries no condition.
    await s3Proxy.set({ kind: 'pass' });
    await store.put('t/plain', randomBytes(100), 'image/png');
    expect(s3Proxy.requests.some(ifNoneMatch)).toBe(false);
  });

  it('S3: 412 with our bytes stored is a replay; with other bytes a conflict; 409 is written again', async () => {
    const store = s3.store({ prefix: 'faults', endpoint: s3Proxy.url });
    /** The next PUT gets S3's answer instead of reaching s3rver. */
    const answerNextPut = (status: number, body: string) =>
      s3Proxy.set({ kind: 'answer', status, body, match: /^PUT /, times: 1 });
    const bytes = randomBytes(500);
    await s3.store({ prefix: 'faults' }).put('t/s3-412', bytes, 'image/png');

    await answerNextPut(412, PRECONDITION_FAILED);
    const replay = await store.put('t/s3-412', bytes, 'image/png', { ifAbsent: true });
    expect(s3Proxy.injected).toBe(1);
    expect(replay.sha256).toBe(sha256(bytes));

    await answerNextPut(412, PRECONDITION_FAILED);
    await expect(
      store.put('t/s3-412', randomBytes(500), 'image/png', { ifAbsent: true }),
    ).rejects.toBeInstanceOf(StorageConflictError);
    expect(sha256(await buffer((await s3.store({ prefix: 'faults' }).get('t/s3-412'))!.body))).toBe(
      sha256(bytes),
    );

    await answerNextPut(409, CONDITIONAL_CONFLICT);
    const fresh = randomBytes(500);
    const written = await store.put('t/s3-409', fresh, 'image/png', { ifAbsent: true });
    expect(s3Proxy.injected).toBe(1);
    expect(written.sha256).toBe(sha256(fresh));
    figure(
      'Idempotent writes',
      'S3: If-None-Match: * on PutObject and CompleteMultipartUpload; 412 + same sha256 -> replay, other bytes -> StorageConflictError (stored bytes kept); 409 -> written again',
    );
  });

  it('Azure: a create-only commit whose answer is lost is retried, and the 409 it meets is a replay', async () => {
    const store = azure.store({ prefix: 'faults', endpoint: azureProxy.url });
    const bytes = randomBytes(2000);
    await azureProxy.set({ kind: 'lose-answer', match: /comp=blocklist/, times: 1 });
    const info = await store.put('t/azure-lost', bytes, 'image/png', { ifAbsent: true });
    expect(azureProxy.injected).toBe(1);
    // Two commits went out: the first (answer lost) and the retry Azurite refused with 409.
    expect(azureProxy.requests.filter((h) => /comp=blocklist/.test(h))).toHaveLength(2);
    expect(info.sha256).toBe(sha256(bytes));
    const stored = await buffer(
      (await azure.store({ prefix: 'faults' }).get('t/azure-lost'))!.body,
    );
    expect(sha256(stored)).toBe(sha256(bytes));
    figure(
      'Idempotent writes',
      'Azure (Azurite): commit answer lost -> retried, 409 BlobAlreadyExists with the same sha256 -> success, 1 blob',
    );
  });

  it.each([
    { name: 'Azure (Azurite)', open: () => azure.store({ prefix: 'faults' }) },
    { name: 'local directory', open: () => new LocalStore(join(folder, 'local')) },
  ])('$name: of 8 concurrent create-only writers of one key, 1 wins', async ({ name, open }) => {
    const store = open();
    const bodies = Array.from({ length: 8 }, () => randomBytes(3000));
    const results = await Promise.allSettled(
      bodies.map((body) => store.put('t/race', body, 'image/png', { ifAbsent: true })),
    );
    const won = results.findIndex((r) => r.status === 'fulfilled');
    const conflicts = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof StorageConflictError,
    ).length;
    expect(conflicts).toBe(7);
    const stored = await buffer((await store.get('t/race'))!.body);
    expect(sha256(stored)).toBe(sha256(bodies[won]));
    figure(
      'Idempotent writes',
      `${name}: 8 concurrent create-only writers of 1 key -> 1 stored, ${conflicts} StorageConflictError, 0 lost updates`,
    );
  });
});
