/**
 * Local-directory driver (the embedded default, `file://./data/objects`). Writes go to a temporary
 * file, are flushed, then renamed into place, so a crash never leaves a half-written object under
 * its key. Content type and SHA-256 live in a `.meta.json` file beside each object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verified } from './integrity.js';
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
    return { ...info, body: verified(createReadStream(this.path(key)), info.sha256, key) };
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
    await rm(`${this.path(key)}.meta.json`, { force: true });
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async create(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const start = prefix ? join(this.root, checkKey(prefix.replace(/\/$/, ''))) : this.root;
    let entries: string[];
    try {
      entries = await readdir(start, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.endsWith('.meta.json')) continue;
      const key = relative(this.root, join(start, entry.slice(0, -'.meta.json'.length)));
      yield key.split(sep).join('/');
    }
  }

  /** Local files have no service of their own to sign for: the API signs its own URL. */
  presign(): Promise<string | undefined> {
    return Promise.resolve(undefined);
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
