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
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { IntegrityError, type ObjectStore } from '../../src/platform/storage/storage.js';
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
