/**
 * Local-directory driver (the embedded default, `file://./data/objects`). Writes go to a temporary
 * file, are flushed, then renamed into place, so a crash never leaves a half-written object under
 * its key. Content type and SHA-256 live in a `.meta.json` file beside each object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verified } from './integrity.js';
import {
  checkKey,
  StorageConflictError,
  type ObjectInfo,
  type ObjectStore,
  type StoredObject,
  type WriteOptions,
} from './storage.js';

export class LocalStore implements ObjectStore {
  readonly provider = 'file';

  constructor(private readonly root: string) {}

  async put(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const info: ObjectInfo = {
      key,
      size: bytes.length,
      contentType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    return this.place(key, await writeTemporary(path, bytes), info, options);
  }

  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    options: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = temporaryBeside(path);
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
    return this.place(key, temporary, info, options);
  }

  /**
   * Moves a written temporary file under its key, the metadata first. Create-only writes claim
   * the key by hard-linking the metadata file into place, which fails if it exists (atomic on
   * POSIX file systems), so of two writers exactly one gets the key.
   */
  private async place(
    key: string,
    temporary: string,
    info: ObjectInfo,
    { ifAbsent = false }: WriteOptions,
  ): Promise<ObjectInfo> {
    const path = this.path(key);
    const meta = Buffer.from(JSON.stringify(info));
    try {
      if (!ifAbsent) {
        await rename(await writeTemporary(`${path}.meta.json`, meta), `${path}.meta.json`);
      } else {
        const claimed = await claim(`${path}.meta.json`, meta);
        if (!claimed) {
          const stored = await this.head(key);
          // A claim without its data: a writer still moving it, or one that crashed. The same
          // bytes can finish it; other bytes wait for (or lost to) that writer.
          const claimedSha = stored?.sha256 ?? (await this.claimedSha256(key));
          if (claimedSha !== info.sha256) throw new StorageConflictError(key, claimedSha);
          if (stored) return stored;
        }
      }
      await rename(temporary, path);
      return info;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  private async claimedSha256(key: string): Promise<string> {
    const meta = await readFile(`${this.path(key)}.meta.json`, 'utf8').catch(() => '{}');
    return (JSON.parse(meta) as Partial<ObjectInfo>).sha256 ?? 'unknown';
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

function temporaryBeside(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes and flushes a temporary file beside `path`; returns its name. */
async function writeTemporary(path: string, bytes: Uint8Array): Promise<string> {
  const temporary = temporaryBeside(path);
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  return temporary;
}

/** Puts `bytes` at `path` only if nothing is there: false when something is. */
async function claim(path: string, bytes: Uint8Array): Promise<boolean> {
  const temporary = await writeTemporary(path, bytes);
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}
