/**
 * Object storage: one interface for every driver (local directory, S3, Azure Blob; a replicated
 * pair of two of them is a store too). Keys are relative paths namespaced by tenant
 * (`<tenant>/codes/<id>.png`); every object carries its SHA-256, checked when it is read back.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

export interface StoredObject extends ObjectInfo {
  body: Readable;
}

export interface WriteOptions {
  /**
   * Create only: never replace an object already under the key (S3 and Azure `If-None-Match: *`,
   * an atomic link on local disk), so of two writers of one key the second cannot overwrite the
   * first. Writing the same bytes again is not a conflict: the stored object's info comes back, so
   * a retry whose first answer was lost succeeds. Other bytes throw StorageConflictError.
   */
  ifAbsent?: boolean;
}

export interface ObjectStore {
  /** 'file', 's3' or 'azure': the `provider` label of the storage metrics. */
  readonly provider: string;
  put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options?: WriteOptions,
  ): Promise<ObjectInfo>;
  /** Streams an object of unknown length (batch outputs) without holding it in memory. */
  putStream(
    key: string,
    body: Readable,
    contentType: string,
    options?: WriteOptions,
  ): Promise<ObjectInfo>;
  /** Undefined when absent. The stream fails if the bytes do not match the recorded SHA-256. */
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached (for /ready). */
  ping(): Promise<void>;
  /** Creates the bucket, container or folder when missing (`qrforge storage init`). */
  create(): Promise<void>;
  /** Every key under `prefix` ('' for all), in no particular order (reconcile). */
  list(prefix?: string): AsyncIterable<string>;
  /**
   * A short-lived URL that downloads the object straight from the service (S3 presigned, Azure
   * SAS), or undefined when the driver has none (local files: the API signs its own URL).
   */
  presign(key: string, options: PresignOptions): Promise<string | undefined>;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** File name for Content-Disposition: attachment. */
  filename: string;
}

/** The bytes read back do not match the SHA-256 recorded when they were written. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
  readonly code = 'STORAGE_INTEGRITY';
}

/** A create-only write found other bytes under the key (WriteOptions.ifAbsent). */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
  readonly code = 'STORAGE_CONFLICT';
  constructor(
    readonly key: string,
    /** SHA-256 of the object already stored. */
    readonly storedSha256: string,
  ) {
    super(`${key} already exists in storage with other bytes (sha256 ${storedSha256})`);
  }
}

/**
 * How a service refused a create-only write: `exists` (the key is taken: S3 412, Azure 409),
 * `busy` (a concurrent conditional write: S3 409), or undefined for any other error.
 */
export type Refusal = 'exists' | 'busy' | undefined;

/**
 * Runs a write, create-only when asked, and settles the service's refusal: when the key exists,
 * the same bytes are the replay of an earlier write (its answer may have been lost) and succeed,
 * other bytes throw StorageConflictError; when the object was removed in between or the service
 * was busy, the write runs again, up to `rounds` times.
 */
export async function createOnly(
  store: Pick<ObjectStore, 'head'>,
  info: ObjectInfo,
  { ifAbsent = false }: WriteOptions,
  rounds: number,
  write: () => Promise<unknown>,
  refusal: (error: unknown) => Refusal,
): Promise<ObjectInfo> {
  for (let round = 1; ; round++) {
    try {
      await write();
      return info;
    } catch (error) {
      const why = ifAbsent ? refusal(error) : undefined;
      if (!why || round >= rounds) throw error;
      if (why === 'exists') {
        const stored = await store.head(info.key);
        if (stored && stored.sha256 !== info.sha256)
          throw new StorageConflictError(info.key, stored.sha256);
        if (stored) return stored;
      }
    }
  }
}

export class StorageKeyError extends Error {}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are built by our code, never by callers; this guards against a bug becoming traversal. */
export function checkKey(key: string): string {
  if (key.length > 512 || !KEY.test(key) || key.split('/').some((part) => part === '..'))
    throw new StorageKeyError(`Invalid storage key ${JSON.stringify(key)}`);
  return key;
}
