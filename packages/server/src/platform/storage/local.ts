/**
 * Local-directory driver (the embedded default, `file://./data/objects`). Writes go to a temporary
 * file, are flushed, then renamed into place, so a crash never leaves a half-written object under
 * its key. Content type and SHA-256 live in a `.meta.json` file beside each object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkKey, type ObjectInfo, type ObjectStore, type StoredObject } from './storage.js';

export class LocalStore implements ObjectStore {
  readonly provider = 'file';

  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<ObjectInfo> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const info: ObjectInfo = {
      key,
      size: bytes.length,
      contentType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    await writeDurably(`${path}.meta.json`, Buffer.from(JSON.stringify(info)));
    await writeDurably(path, bytes);
    return info;
  }

  async putStream(key: string, body: Readable, contentType: string): Promise<ObjectInfo> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(temporary, { flush: true }),
      );
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const info: ObjectInfo = { key, size, contentType, sha256: hash.digest('hex') };
    await writeDurably(`${path}.meta.json`, Buffer.from(JSON.stringify(info)));
    await rename(temporary, path);
    return info;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const [meta, file] = await Promise.all([
        readFile(`${this.path(key)}.meta.json`, 'utf8'),
        stat(this.path(key)),
      ]);
      const info = JSON.parse(meta) as ObjectInfo;
      return { ...info, size: file.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    return { ...info, body: createReadStream(this.path(key)).pipe(verifySha256(info.sha256, key)) };
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
    await rm(`${this.path(key)}.meta.json`, { force: true });
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private path(key: string): string {
    return join(this.root, checkKey(key));
  }
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/** Passes the bytes through and fails the stream at the end when their hash is not `expected`. */
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
        actual === expected
          ? null
          : new Error(`Object ${key} is corrupt: SHA-256 ${actual}, recorded ${expected}`),
      );
    },
  });
}
