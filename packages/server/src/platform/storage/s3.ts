/**
 * S3 driver (`s3://bucket/prefix`), for AWS S3 and any S3-compatible service (MinIO, s3rver).
 * Small objects go in one PutObject with their SHA-256 as the transfer checksum (S3 verifies it);
 * streams are spooled and sent by lib-storage's multipart upload (CRC32 per part by default).
 * The SHA-256 also rides in the object's metadata (`x-amz-meta-sha256`) and is checked on read.
 *
 * `checksum=when_required` turns the SDK's default transfer checksums off for endpoints that
 * cannot take them (s3rver stores aws-chunked streamed uploads corrupted); Content-MD5 is sent
 * instead where it is cheap.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { retryCorrupted, verified } from './integrity.js';
import { spool } from './spool.js';
import {
  checkKey,
  createOnly,
  IntegrityError,
  type ObjectInfo,
  type ObjectStore,
  type PresignOptions,
  type Refusal,
  type StoredObject,
  type WriteOptions,
} from './storage.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without slashes at either end; '' for none. */
  prefix: string;
  /** Custom endpoint (MinIO, s3rver); default: AWS for the region. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** The SDK's transfer checksums: on (`when_supported`, the default) or only where required. */
  checksum: 'when_supported' | 'when_required';
  /** One attempt's limit: a hung connection fails and is retried instead of hanging. */
  tryTimeoutMs: number;
  maxAttempts: number;
  /** Folder for spool files of streamed uploads. */
  spoolDir: string;
  /** Explicit credentials (tests); default: the SDK's chain (environment, profile, IAM role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const PART_SIZE = 8 * 1024 * 1024;

export class S3Store implements ObjectStore {
  readonly provider = 's3';
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    const checksum = options.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    this.client = new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts,
      requestChecksumCalculation: checksum,
      responseChecksumValidation: checksum,
      requestHandler: {
        connectionTimeout: Math.min(options.tryTimeoutMs, 5000),
        requestTimeout: options.tryTimeoutMs,
        // Without it the SDK only logs a warning and waits on (a hung server hangs the upload).
        throwOnRequestTimeout: true,
      },
    });
  }

  async put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const sha256 = createHash('sha256').update(bytes).digest();
    const md5 = createHash('md5').update(bytes).digest();
    const checked = this.options.checksum === 'when_supported';
    const info = { key, size: bytes.length, contentType, sha256: sha256.toString('hex') };
    const write = () =>
      retryCorrupted(this.options.maxAttempts, async () => {
        const answer = await this.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: this.path(key),
            Body: bytes,
            ContentType: contentType,
            Metadata: { sha256: sha256.toString('hex') },
            ...(options.ifAbsent && { IfNoneMatch: '*' }),
            // S3 checks the SHA-256 it is given; Content-MD5 for endpoints without SDK checksums.
            ...(checked
              ? { ChecksumSHA256: sha256.toString('base64') }
              : { ContentMD5: md5.toString('base64') }),
          }),
        );
        // Without SDK checksums, the ETag of a single PUT (the MD5 of what the service stored,
        // without SSE-KMS) is checked too: not every S3-compatible server verifies Content-MD5.
        const etag = answer.ETag?.replaceAll('"', '');
        if (!checked && etag && /^[0-9a-f]{32}$/.test(etag) && etag !== md5.toString('hex'))
          throw new IntegrityError(
            `S3 stored ${key} with MD5 ${etag}, sent ${md5.toString('hex')}`,
          );
      });
    return createOnly(this, info, options, this.options.maxAttempts, write, refusal);
  }

  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const file = await spool(body, this.options.spoolDir);
    try {
      const info = { key, size: file.size, contentType, sha256: file.sha256 };
      // lib-storage passes IfNoneMatch to PutObject, or to CompleteMultipartUpload for large
      // objects: S3 checks it when the object would appear.
      const write = () =>
        new Upload({
          client: this.client,
          partSize: PART_SIZE,
          queueSize: 2,
          params: {
            Bucket: this.options.bucket,
            Key: this.path(key),
            Body: createReadStream(file.path),
            ContentType: contentType,
            Metadata: { sha256: file.sha256 },
            ...(options.ifAbsent && { IfNoneMatch: '*' }),
          },
        }).done();
      return await createOnly(this, info, options, this.options.maxAttempts, write, refusal);
    } finally {
      await file.remove();
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.path(key) }),
      );
      const sha256 = answer.Metadata?.sha256 ?? '';
      const body = answer.Body as Readable;
      return {
        key,
        size: answer.ContentLength ?? 0,
        contentType: answer.ContentType ?? 'application/octet-stream',
        sha256,
        body: verified(body, sha256, key),
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const answer = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.path(key) }),
      );
      return {
        key,
        size: answer.ContentLength ?? 0,
        contentType: answer.ContentType ?? 'application/octet-stream',
        sha256: answer.Metadata?.sha256 ?? '',
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.path(key) }),
    );
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
  }

  async create(): Promise<void> {
    // A bucket we can reach is ours already; "exists" from CreateBucket then means someone else's.
    if (
      await this.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const base = this.options.prefix ? `${this.options.prefix}/` : '';
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.options.bucket, Prefix: base + prefix },
    );
    for await (const page of pages)
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(base.length);
  }

  async presign(key: string, options: PresignOptions): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.path(key),
        ResponseContentDisposition: `attachment; filename="${options.filename}"`,
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  /** Closes the SDK's connection pool. */
  close(): void {
    this.client.destroy();
  }

  private path(key: string): string {
    checkKey(key);
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }
}

/**
 * S3's refusals of a create-only write: 412 PreconditionFailed (the key exists), 409
 * ConditionalRequestConflict (a concurrent write to the key: write again, as S3 advises).
 */
function refusal(error: unknown): Refusal {
  const status = httpStatus(error);
  return status === 412 ? 'exists' : status === 409 ? 'busy' : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function notFound(error: unknown): boolean {
  const status = httpStatus(error);
  return (
    status === 404 || (error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound'
  );
}
