/** SHA-256 checks on every read: a corrupt object fails its stream instead of reaching a user. */
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { IntegrityError } from './storage.js';

/**
 * Passes the bytes through and fails the stream at the end with an IntegrityError when their hash
 * is not `expected`. An empty `expected` (an object written by another tool) is not checked.
 */
export function verifySha256(expected: string, key: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest('hex');
      callback(
        !expected || actual === expected
          ? null
          : new IntegrityError(`Object ${key} is corrupt: SHA-256 ${actual}, recorded ${expected}`),
      );
    },
  });
}

/** `body` checked against `expected`; errors of the source stream reach the reader too. */
export function verified(body: Readable, expected: string, key: string): Readable {
  return pipeline(body, verifySha256(expected, key), () => undefined);
}

/** Error codes S3 and Azure answer when the bytes they received fail the transfer checksum. */
const CORRUPTED_IN_TRANSIT = new Set([
  'BadDigest',
  'InvalidDigest',
  'XAmzContentSHA256Mismatch',
  'Md5Mismatch',
  'Crc64Mismatch',
]);

export function corruptedInTransit(error: unknown): boolean {
  if (error instanceof IntegrityError) return true;
  const { name, code, message, statusCode } = error as Record<string, unknown>;
  if (CORRUPTED_IN_TRANSIT.has(String(name)) || CORRUPTED_IN_TRANSIT.has(String(code))) return true;
  // Azurite answers a Content-MD5 mismatch as 400 InvalidOperation, naming the MD5.
  return statusCode === 400 && /contentMD5 doesn't match/i.test(String(message));
}

/**
 * Runs an upload again when the service refused its bytes as corrupted in transit. The SDKs
 * retry network faults and 5xx themselves but treat a checksum refusal (400) as final.
 */
export async function retryCorrupted<T>(attempts: number, upload: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload();
    } catch (error) {
      if (attempt >= attempts || !corruptedInTransit(error)) throw error;
    }
  }
}
