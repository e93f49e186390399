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
