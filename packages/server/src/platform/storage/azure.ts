/**
 * Azure Blob driver (`azure://container/prefix`). Every write is Put Block(s) with a
 * transactional Content-MD5 (the service refuses a block whose bytes changed in transit), then
 * Put Block List with the SHA-256 in the blob's metadata, so a blob never exists without its
 * checksum. Every call has a per-try time limit and retries (tries.ts): the SDK has none.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type BlockBlobClient,
  type ContainerClient,
} from '@azure/storage-blob';
import { corruptedInTransit, verified } from './integrity.js';
import { transient, withTries } from './tries.js';
import { spool } from './spool.js';
import {
  checkKey,
  createOnly,
  type ObjectInfo,
  type ObjectStore,
  type PresignOptions,
  type StoredObject,
  type WriteOptions,
} from './storage.js';

export interface AzureStoreOptions {
  container: string;
  prefix: string;
  /** AZURE_STORAGE_CONNECTION_STRING (an account key is needed for SAS download URLs)... */
  connectionString?: string;
  /**
   * ...or a storage account reached with Azure's credential chain (workload identity, managed
   * identity, environment): no key kept anywhere, and no SAS URLs (the API serves downloads).
   */
  account?: string;
  tryTimeoutMs: number;
  maxAttempts: number;
  spoolDir: string;
}

const BLOCK_SIZE = 8 * 1024 * 1024;

export class AzureStore implements ObjectStore {
  readonly provider = 'azure';
  private readonly container: ContainerClient;

  constructor(private readonly options: AzureStoreOptions) {
    // One try per SDK call: `call` below makes the tries, each with a time limit.
    const retryOptions = { maxTries: 1 };
    const service = options.account
      ? new BlobServiceClient(
          `https://${options.account}.blob.core.windows.net`,
          new DefaultAzureCredential(),
          { retryOptions },
        )
      : BlobServiceClient.fromConnectionString(options.connectionString!, { retryOptions });
    this.container = service.getContainerClient(options.container);
  }

  async put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const blob = this.blob(key);
    const upload = randomBytes(6).toString('hex');
    const md5 = createHash('md5').update(bytes).digest();
    const id = blockId(upload, 0);

    await this.stage(blob, id, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    const info = {
      key,
      size: bytes.length,
      contentType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    return this.commit(blob, [id], info, md5, options);
  }

  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const file = await spool(body, this.options.spoolDir);
    const blob = this.blob(key);
    const upload = randomBytes(6).toString('hex');
    const ids: string[] = [];
    const handle = await open(file.path);
    try {
      // Sequential blocks: a batch output is one object of tens of MB; memory stays at one block.
      const buffer = Buffer.alloc(Math.min(BLOCK_SIZE, Math.max(file.size, 1)));
      for (let offset = 0; offset < file.size || ids.length === 0; offset += BLOCK_SIZE) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        const block = buffer.subarray(0, bytesRead);
        const id = blockId(upload, ids.length);
        await this.stage(blob, id, block);
        ids.push(id);
      }
      const info = { key, size: file.size, contentType, sha256: file.sha256 };
      return await this.commit(blob, ids, info, file.md5, options);
    } finally {
      await handle.close();
      await file.remove();
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const answer = await this.call((abortSignal) =>
        this.blob(key).download(0, undefined, { abortSignal }),
      );
      const sha256 = answer.metadata?.sha256 ?? '';
      return {
        key,
        size: answer.contentLength ?? 0,
        contentType: answer.contentType ?? 'application/octet-stream',
        sha256,
        body: verified(answer.readableStreamBody as Readable, sha256, key),
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const answer = await this.call((abortSignal) =>
        this.blob(key).getProperties({ abortSignal }),
      );
      return {
        key,
        size: answer.contentLength ?? 0,
        contentType: answer.contentType ?? 'application/octet-stream',
        sha256: answer.metadata?.sha256 ?? '',
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.call((abortSignal) => this.blob(key).deleteIfExists({ abortSignal }));
  }

  async ping(): Promise<void> {
    await this.call((abortSignal) => this.container.getProperties({ abortSignal }));
  }

  async create(): Promise<void> {
    await this.call((abortSignal) => this.container.createIfNotExists({ abortSignal }));
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const base = this.options.prefix ? `${this.options.prefix}/` : '';
    for await (const blob of this.container.listBlobsFlat({ prefix: base + prefix }))
      yield blob.name.slice(base.length);
  }

  /** A read-only SAS URL; undefined when the credential cannot sign (no account key). */
  async presign(key: string, options: PresignOptions): Promise<string | undefined> {
    try {
      return await this.blob(key).generateSasUrl({
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + options.expiresInSeconds * 1000),
        contentDisposition: `attachment; filename="${options.filename}"`,
      });
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
  }

  /**
   * Put Block List: the blob appears whole with its checksum. A create-only commit carries
   * `If-None-Match: *`; Azure refuses it with 409 BlobAlreadyExists when the blob exists (the
   * staged blocks stay, so the commit can run again).
   */
  private commit(
    blob: BlockBlobClient,
    ids: string[],
    info: ObjectInfo,
    md5: Uint8Array,
    options: WriteOptions,
  ): Promise<ObjectInfo> {
    const write = () =>
      this.call((abortSignal) =>
        blob.commitBlockList(ids, {
          blobHTTPHeaders: { blobContentType: info.contentType, blobContentMD5: md5 },
          metadata: { sha256: info.sha256 },
          conditions: options.ifAbsent ? { ifNoneMatch: '*' } : undefined,
          abortSignal,
        }),
      );
    const refusal = (error: unknown) =>
      (error as { statusCode?: number }).statusCode === 409 ? 'exists' : undefined;
    return createOnly(this, info, options, this.options.maxAttempts, write, refusal);
  }

  /** Put Block with its Content-MD5: the service refuses a block changed in transit, we resend. */
  private stage(blob: BlockBlobClient, id: string, block: Buffer): Promise<unknown> {
    const md5 = createHash('md5').update(block).digest();
    return this.call((abortSignal) =>
      blob.stageBlock(id, block, block.length, { transactionalContentMD5: md5, abortSignal }),
    );
  }

  /** One SDK call with our tries (see tries.ts for why not the SDK's). */
  private call<T>(operation: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withTries(
      { attempts: this.options.maxAttempts, tryTimeoutMs: this.options.tryTimeoutMs },
      operation,
      (error) => transient(error) || corruptedInTransit(error),
    );
  }

  private blob(key: string): BlockBlobClient {
    checkKey(key);
    return this.container.getBlockBlobClient(
      this.options.prefix ? `${this.options.prefix}/${key}` : key,
    );
  }
}

/** Block IDs must be base64 of equal length within a blob; the upload tag keeps writers apart. */
function blockId(upload: string, index: number): string {
  return Buffer.from(`${upload}-${String(index).padStart(6, '0')}`).toString('base64');
}

function notFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}
