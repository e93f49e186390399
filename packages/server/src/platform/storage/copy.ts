/** Copies one object between stores, checked end to end (replication and reconcile). */
import { buffer } from 'node:stream/consumers';
import { IntegrityError, type ObjectInfo, type ObjectStore } from './storage.js';

/** Objects up to this size are copied through memory; larger ones stream. */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;

/** Copies `key`; undefined when the source does not have it. */
export async function copyObject(
  from: ObjectStore,
  to: ObjectStore,
  key: string,
): Promise<ObjectInfo | undefined> {
  const source = await from.get(key);
  if (!source) return undefined;
  // The source stream fails on a SHA-256 mismatch, so a corrupt object is never copied.
  const written =
    source.size <= IN_MEMORY_BYTES
      ? await to.put(key, await buffer(source.body), source.contentType)
      : await to.putStream(key, source.body, source.contentType);
  if (source.sha256 && written.sha256 !== source.sha256)
    throw new IntegrityError(
      `Copy of ${key} has SHA-256 ${written.sha256}, source recorded ${source.sha256}`,
    );
  return written;
}
