/**
 * Real S3- and Azure-compatible servers on loopback for the storage tests: s3rver (in this
 * process) and Azurite (a child process). Both come from npm, so the tests never skip them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import S3rver from 's3rver';
import { AzureStore } from '../../src/platform/storage/azure.js';
import { S3Store } from '../../src/platform/storage/s3.js';
import { freePort } from './ports.js';

export interface S3Server {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** AWS SDK variables for a child process that uses this server. */
  env: Record<string, string>;
  /** `s3://<bucket>/<prefix>?…` for this server (checksum=when_required: s3rver needs it). */
  location(prefix: string, endpoint?: string): string;
  /** A driver for this server (or the same one reached through `endpoint`, e.g. a fault proxy). */
  store(options: StoreOptions & { bucket?: string }): S3Store;
  close(): Promise<void>;
}

export interface StoreOptions {
  prefix: string;
  endpoint?: string;
  tryTimeoutMs?: number;
  maxAttempts?: number;
}

const SPOOL = join(tmpdir(), 'qrforge-test-spool');

export async function startS3rver(bucket = 'qrforge-test'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'qrforge-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: await freePort(),
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    bucket,
    credentials,
    env: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    location: (prefix, through = endpoint) =>
      `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(through)}&path_style=true&checksum=when_required`,
    store: (options) =>
      new S3Store({
        bucket: options.bucket ?? bucket,
        prefix: options.prefix,
        endpoint: options.endpoint ?? endpoint,
        forcePathStyle: true,
        checksum: 'when_required',
        credentials,
        spoolDir: SPOOL,
        tryTimeoutMs: options.tryTimeoutMs ?? 2000,
        maxAttempts: options.maxAttempts ?? 3,
      }),
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Azurite's well-known development account. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzureServer {
  port: number;
  container: string;
  /** Connection string for this server, or for the same account reached through `endpoint`. */
  connectionString(endpoint?: string): string;
  endpoint: string;
  /** A driver for this server (or the same one reached through `endpoint`). */
  store(options: StoreOptions & { container?: string }): AzureStore;
  close(): Promise<void>;
}

const AZURITE = fileURLToPath(
  new URL('../../../../node_modules/azurite/dist/src/blob/main.js', import.meta.url),
);

export async function startAzurite(container = 'qrforge-test'): Promise<AzureServer> {
  const location = await mkdtemp(join(tmpdir(), 'qrforge-azurite-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      AZURITE,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      location,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, child, () => stderr);
  const endpoint = `http://127.0.0.1:${port}`;
  const connectionString = (through = endpoint) =>
    `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${through}/${ACCOUNT};`;
  await BlobServiceClient.fromConnectionString(connectionString())
    .getContainerClient(container)
    .createIfNotExists();
  return {
    port,
    container,
    endpoint,
    connectionString,
    store: (options) =>
      new AzureStore({
        container: options.container ?? container,
        prefix: options.prefix,
        connectionString: connectionString(options.endpoint),
        spoolDir: SPOOL,
        tryTimeoutMs: options.tryTimeoutMs ?? 2000,
        maxAttempts: options.maxAttempts ?? 3,
      }),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(location, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
        .once('connect', () => {
          socket.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Azurite did not listen on ${port} within 30 s: ${log()}`);
}
