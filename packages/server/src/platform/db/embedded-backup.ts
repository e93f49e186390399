/**
 * Backup and restore of the embedded layout (`npm start`: PGlite and local objects), as one folder:
 * `database.tar.gz` (PGlite's data folder), `objects/` (the local object store), `jwt-secret` (it
 * signs sessions and item codes: restored codes must still verify) and `manifest.json` (what,
 * when, checksums). Run with the server stopped: the database lock refuses to run beside it.
 * PostgreSQL deployments use pg_dump and point-in-time recovery instead (docs/operations.md).
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION } from '../../version.js';
import { loadPglite, openDatabase } from './database.js';

export interface BackupManifest {
  format: 'qrforge-embedded-backup/1';
  createdAt: string;
  apiVersion: string;
  database: { file: 'database.tar.gz'; bytes: number; sha256: string };
  /** Files copied from the local object store (objects and their metadata). */
  objects: number;
  secret: boolean;
}

/** Writes the backup into `target` (created; must not exist or be empty). */
export async function createBackup(dataDir: string, target: string): Promise<BackupManifest> {
  if (existsSync(target) && (await readdir(target)).length)
    throw new Error(`${target} is not empty: choose a new folder for the backup`);
  await mkdir(target, { recursive: true });
  const database = await openDatabase({ databaseUrl: undefined, dataDir });
  let tarball: Buffer;
  try {
    tarball = Buffer.from(await (await database.dump!()).arrayBuffer());
  } finally {
    await database.close();
  }
  await writeFile(join(target, 'database.tar.gz'), tarball);
  const objects = join(dataDir, 'objects');
  const count = existsSync(objects) ? await countFiles(objects) : 0;
  if (count) await cp(objects, join(target, 'objects'), { recursive: true });
  const secret = join(dataDir, 'jwt-secret');
  if (existsSync(secret)) await cp(secret, join(target, 'jwt-secret'));
  const manifest: BackupManifest = {
    format: 'qrforge-embedded-backup/1',
    createdAt: new Date().toISOString(),
    apiVersion: API_VERSION,
    database: {
      file: 'database.tar.gz',
      bytes: tarball.length,
      sha256: createHash('sha256').update(tarball).digest('hex'),
    },
    objects: count,
    secret: existsSync(secret),
  };
  await writeFile(join(target, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/**
 * Restores a backup into `dataDir`. A data folder that already holds a database is refused unless
 * `replace`; then its database, objects and secret are moved aside (`*.before-restore-<time>`),
 * never deleted. The tarball's checksum is verified first.
 */
export async function restoreBackup(
  source: string,
  dataDir: string,
  replace: boolean,
): Promise<BackupManifest> {
  const manifest = JSON.parse(
    await readFile(join(source, 'manifest.json'), 'utf8'),
  ) as BackupManifest;
  if (manifest.format !== 'qrforge-embedded-backup/1')
    throw new Error(
      `${source} is not a QR Forge embedded backup (format ${String(manifest.format)})`,
    );
  const tarball = await readFile(join(source, manifest.database.file));
  if (createHash('sha256').update(tarball).digest('hex') !== manifest.database.sha256)
    throw new Error(`${manifest.database.file} does not match its checksum: the backup is damaged`);
  const kept = ['pg', 'objects', 'jwt-secret'].filter((name) => existsSync(join(dataDir, name)));
  if (kept.includes('pg') && !replace)
    throw new Error(`${dataDir} already holds a database: add --replace to move it aside first`);
  const suffix = `before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const name of kept) await rename(join(dataDir, name), join(dataDir, `${name}.${suffix}`));
  await loadPglite(dataDir, new Blob([tarball]));
  if (existsSync(join(source, 'objects')))
    await cp(join(source, 'objects'), join(dataDir, 'objects'), { recursive: true });
  if (existsSync(join(source, 'jwt-secret')))
    await cp(join(source, 'jwt-secret'), join(dataDir, 'jwt-secret'));
  // A backup from an older release gets this release's migrations.
  const database = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  return manifest;
}

async function countFiles(folder: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(folder, { recursive: true }))
    if ((await stat(join(folder, entry))).isFile()) count++;
  return count;
}
