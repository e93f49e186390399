/**
 * Streams of unknown length (batch ZIPs) are spooled to a local file before a remote upload.
 * Why not stream straight through: the SHA-256 must be in the object's metadata, which S3 and
 * Azure take when the upload starts, and a stream cannot be replayed when an upload is retried.
 * A spool file gives both, keeps memory flat, and costs one local write and read of the file —
 * small next to generating it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Spooled {
  path: string;
  size: number;
  sha256: string;
  md5: Buffer;
  remove(): Promise<void>;
}

export async function spool(body: Readable, directory: string): Promise<Spooled> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `spool-${randomBytes(8).toString('hex')}`);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  const remove = () => rm(path, { force: true });
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          sha256.update(chunk);
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      createWriteStream(path),
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, size, sha256: sha256.digest('hex'), md5: md5.digest(), remove };
}
