/**
 * The same schema and migrations on both engines: embedded PGlite and the local PostgreSQL server
 * (a fresh database per run). Plus PGlite's single-writer lock, across real processes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { DataDirLockedError } from '../../src/platform/db/pglite-lock.js';
import { memberships, tenants, users } from '../../src/platform/db/schema.js';
import { createTestDatabase, postgresAvailable } from '../helpers/services.js';

const run = promisify(execFile);

const engines = [
  {
    engine: 'pglite',
    available: true,
    open: async () => {
      const handle = await openDatabase({
        databaseUrl: undefined,
        dataDir: mkdtempSync(join(tmpdir(), 'qrforge-db-')),
      });
      return { handle, cleanup: async () => undefined };
    },
  },
  {
    engine: 'postgres',
    available: postgresAvailable,
    open: async () => {
      const { url, drop } = await createTestDatabase();
      const handle = await openDatabase({ databaseUrl: url, dataDir: '' });
      return { handle, cleanup: drop };
    },
  },
] as const;

describe.each(engines)('database on $engine', ({ engine, available, open }) => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (!available) return;
    ({ handle, cleanup } = await open());
    await handle.migrate();
  });
  afterAll(async () => {
    if (!available) return;
    await handle.close();
    await cleanup();
  });

  it.skipIf(!available)('migrates, and migrating again changes nothing', async () => {
    expect(handle.engine).toBe(engine);
    await handle.migrate();
    await handle.ping();
  });

  it.skipIf(!available)(
    'stores tenants, users and memberships with their constraints',
    async () => {
      const [tenant] = await handle.db
        .insert(tenants)
        .values({ slug: 'line-1', name: 'Line 1' })
        .returning();
      const [user] = await handle.db
        .insert(users)
        .values({ email: 'op@example.com', passwordHash: 'x' })
        .returning();
      await handle.db
        .insert(memberships)
        .values({ userId: user.id, tenantId: tenant.id, role: 'operator' });
      const rows = await handle.db
        .select()
        .from(memberships)
        .where(eq(memberships.tenantId, tenant.id));
      expect(rows).toEqual([expect.objectContaining({ userId: user.id, role: 'operator' })]);
      await expect(
        handle.db.insert(tenants).values({ slug: 'line-1', name: 'Again' }),
      ).rejects.toThrow();
      await expect(
        handle.db
          .insert(memberships)
          .values({ userId: user.id, tenantId: tenant.id, role: 'root' as 'admin' }),
      ).rejects.toThrow();
    },
  );
});

describe('PGlite single-writer lock', () => {
  it('a second open of the same data folder refuses while the first holds it, then succeeds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-lock-'));
    const first = await openDatabase({ databaseUrl: undefined, dataDir });
    await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(
      DataDirLockedError,
    );
    await first.close();
    expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);
    const second = await openDatabase({ databaseUrl: undefined, dataDir });
    await second.close();
  });

  it('another process is refused with a message naming the holder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-lock-'));
    const first = await openDatabase({ databaseUrl: undefined, dataDir });
    const script = join(dataDir, 'open.mts');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(new URL('../../src/platform/db/database.ts', import.meta.url).pathname)};\n` +
        `await openDatabase({ databaseUrl: undefined, dataDir: ${JSON.stringify(dataDir)} });\n`,
    );
    const attempt = run(process.execPath, ['--import', 'tsx', script]);
    await expect(attempt).rejects.toMatchObject({
      stderr: expect.stringContaining(
        `in use by another QR Forge process (pid ${process.pid})`,
      ) as unknown,
    });
    await first.close();
    figure(
      'PGlite single writer',
      'a 2nd process on the same data folder exits naming the holder (lock file); a 2nd open in-process is refused',
    );
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-lock-'));
    writeFileSync(join(dataDir, 'pg.lock'), '999999');
    const handle = await openDatabase({ databaseUrl: undefined, dataDir });
    await handle.close();
    figure('PGlite single writer', 'a lock left by a dead process is taken over');
  });
});
