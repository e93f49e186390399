/**
 * The qrforge command on an embedded data folder: user add, apikey create, audit verify (intact,
 * then tampered), and errors naming the problem; qrforge worker on PostgreSQL and Redis.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.js';
import { users } from '../src/platform/db/schema.js';
import { LocalStore } from '../src/platform/storage/local.js';
import {
  createTestDatabase,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from './helpers/services.js';

const run = promisify(execFile);
const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

function qrforge(dataDir: string, ...args: string[]) {
  return qrforgeWith({}, dataDir, ...args);
}

function qrforgeWith(env: Record<string, string>, dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: {
      ...process.env,
      QRFORGE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      QRFORGE_REQUIRE_SERVICES: undefined,
      ...env,
    },
  });
}

describe('qrforge CLI', () => {
  it('adds a user, creates an API key, verifies the audit trail and detects tampering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    const added = await qrforge(
      dataDir,
      'user',
      'add',
      '--email',
      'ops@line3.test',
      '--password',
      'a long enough passphrase',
      '--tenant',
      'line-3',
      '--role',
      'operator',
    );
    expect(added.stdout).toBe('user ops@line3.test is operator of tenant line-3\n');
    const key = await qrforge(
      dataDir,
      'apikey',
      'create',
      '--name',
      'scanner',
      '--tenant',
      'line-3',
      '--role',
      'viewer',
    );
    expect(key.stdout).toMatch(/^qrf_[\w-]{32}\n$/);
    expect(key.stderr).toMatch(/shown once/);

    const intact = await qrforge(dataDir, 'audit', 'verify');
    expect(intact.stdout).toMatch(/^3 entries in \d+ chains: intact$/m);

    const db = await openDatabase({ databaseUrl: undefined, dataDir });
    await db.db.execute(
      sql`update audit_log set summary = '{"role":"admin"}' where action = 'user.add'`,
    );
    await db.close();
    await expect(qrforge(dataDir, 'audit', 'verify')).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /BROKEN chain .* its content was changed[\s\S]*TAMPERED/,
      ) as unknown,
    });
  });

  it('refuses a weak password and an unknown command, naming them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    await expect(
      qrforge(dataDir, 'user', 'add', '--email', 'a@b.test', '--password', 'password123'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'The password is one of the most common passwords',
      ) as unknown,
    });
    await expect(qrforge(dataDir, 'frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"') as unknown,
    });
  });

  it('storage reconcile: copies what one store lacks to the other; needs a backup', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    const [primary, backup] = [
      new LocalStore(join(dataDir, 'a')),
      new LocalStore(join(dataDir, 'b')),
    ];
    await primary.put('t/1.png', Buffer.from('one'), 'image/png');
    await primary.put('t/2.png', Buffer.from('two'), 'image/png');
    await backup.put('t/3.png', Buffer.from('three'), 'image/png');
    await expect(qrforge(dataDir, 'storage', 'reconcile')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('storage reconcile needs STORAGE_BACKUP') as unknown,
    });
    const env = {
      STORAGE_PRIMARY: `file://${join(dataDir, 'a')}`,
      STORAGE_BACKUP: `file://${join(dataDir, 'b')}`,
    };
    const { stdout } = await qrforgeWith(env, dataDir, 'storage', 'reconcile', '--deep');
    expect(stdout).toContain(
      '3 objects checked (deep): 2 copied to the backup, 1 copied to the primary, 0 corrupt copies replaced, 0 failed',
    );
    for (const key of ['t/1.png', 't/2.png', 't/3.png']) {
      expect((await primary.head(key))?.sha256).toBe((await backup.head(key))?.sha256);
      expect(await primary.head(key)).toBeDefined();
    }
  });

  it('storage init creates the store; backup upload puts a file under backups/', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    const env = { STORAGE_PRIMARY: `file://${join(dataDir, 'store')}` };
    const init = await qrforgeWith(env, dataDir, 'storage', 'init');
    expect(init.stdout).toContain('STORAGE_PRIMARY: ready');
    const dump = join(dataDir, 'qrforge-2026-11-24.dump');
    writeFileSync(dump, randomBytes(300_000));
    const { stdout } = await qrforgeWith(env, dataDir, 'backup', 'upload', dump);
    expect(stdout).toMatch(
      /^backups\/qrforge-2026-11-24\.dump: 300000 bytes, sha256 [0-9a-f]{64}$/m,
    );
    const stored = await new LocalStore(join(dataDir, 'store')).get(
      'backups/qrforge-2026-11-24.dump',
    );
    expect(Buffer.compare(await buffer(stored!.body), readFileSync(dump))).toBe(0);

    // The same file again is a replay; another file under the name is refused, the first kept.
    const again = await qrforgeWith(env, dataDir, 'backup', 'upload', dump);
    expect(again.stdout).toBe(stdout);
    const other = join(mkdtempSync(join(tmpdir(), 'qrforge-cli-')), basename(dump));
    writeFileSync(other, randomBytes(1000));
    const refused = await qrforgeWith(env, dataDir, 'backup', 'upload', other).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain(
      'backups/qrforge-2026-11-24.dump already exists in storage with other bytes',
    );
    const kept = await new LocalStore(join(dataDir, 'store')).get(
      'backups/qrforge-2026-11-24.dump',
    );
    expect(Buffer.compare(await buffer(kept!.body), readFileSync(dump))).toBe(0);
  });

  it('backup create and restore: the embedded database, objects and secret come back whole', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    await qrforge(
      dataDir,
      'user',
      'add',
      '--email',
      'kept@example.com',
      '--password',
      'a long enough passphrase',
    );
    await new LocalStore(join(dataDir, 'objects')).put(
      't/code.png',
      Buffer.from('png'),
      'image/png',
    );
    writeFileSync(join(dataDir, 'jwt-secret'), 'x'.repeat(64));
    const folder = join(mkdtempSync(join(tmpdir(), 'qrforge-backup-')), 'nightly');
    const made = await qrforge(dataDir, 'backup', 'create', folder);
    expect(made.stdout).toMatch(
      /^backed up: database \d+ bytes .*, [1-9]\d* object files, secret included/,
    );

    // Into a fresh folder, then over a live one (refused without --replace, kept aside with it).
    const fresh = mkdtempSync(join(tmpdir(), 'qrforge-restore-'));
    await qrforge(fresh, 'backup', 'restore', folder);
    const restored = await openDatabase({ databaseUrl: undefined, dataDir: fresh });
    const rows = await restored.db.select({ email: users.email }).from(users);
    await restored.close();
    expect(rows.map((r) => r.email)).toEqual(['kept@example.com']);
    expect(readFileSync(join(fresh, 'objects/t/code.png'), 'utf8')).toBe('png');
    expect(readFileSync(join(fresh, 'jwt-secret'), 'utf8')).toBe('x'.repeat(64));
    await expect(qrforge(fresh, 'backup', 'restore', folder)).rejects.toMatchObject({
      stderr: expect.stringContaining('already holds a database: add --replace') as unknown,
    });
    await qrforge(fresh, 'backup', 'restore', folder, '--replace');
    expect(readdirSync(fresh).filter((f) => f.startsWith('pg.before-restore-'))).toHaveLength(1);
    // A damaged backup is refused before anything moves.
    writeFileSync(join(folder, 'database.tar.gz'), 'broken');
    await expect(qrforge(fresh, 'backup', 'restore', folder, '--replace')).rejects.toMatchObject({
      stderr: expect.stringContaining('does not match its checksum') as unknown,
    });
  });

  it('worker: needs PostgreSQL, naming why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
    await expect(qrforge(dataDir, 'worker')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('qrforge worker needs DATABASE_URL (PostgreSQL)') as unknown,
    });
  });

  it.skipIf(!postgresAvailable)(
    'serve: on a PostgreSQL database without tables, exits 1 saying to run qrforge migrate',
    async () => {
      const { url, drop } = await createTestDatabase();
      const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));
      await expect(
        qrforgeWith({ DATABASE_URL: url, PORT: '0' }, dataDir, 'serve'),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          /relation "users" does not exist\nThe database has no QR Forge tables yet: run `qrforge migrate` first/,
        ) as unknown,
      });
      await drop();
    },
  );

  it.skipIf(!postgresAvailable || !redisAvailable)(
    'worker: runs on PostgreSQL and Redis, stops cleanly on SIGTERM',
    async () => {
      const { url, drop } = await createTestDatabase();
      // Migrated first, as a deployment does (`qrforge migrate`): the worker's event relay
      // reads its tables from the start.
      const migrated = await openDatabase({
        databaseUrl: url,
        dataDir: mkdtempSync(join(tmpdir(), 'qf-')),
      });
      await migrated.migrate();
      await migrated.close();
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker'], {
        env: {
          ...process.env,
          DATABASE_URL: url,
          REDIS_URL,
          LOG_LEVEL: 'silent',
          // Its /health, /ready and /metrics on any free port.
          PORT: '0',
          HOST: '127.0.0.1',
          QRFORGE_REQUIRE_SERVICES: undefined,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | string | null>((r) =>
        child.on('exit', (code, signal) => r(code ?? signal)),
      );
      for (const end = Date.now() + 20_000; !output.includes('worker started');) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no start: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(output).toContain('worker started (BullMQ on Redis)');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('worker stopped');
      await drop();
    },
  );
});
