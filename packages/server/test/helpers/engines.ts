/**
 * The two database engines every database test runs on: embedded PGlite and the local PostgreSQL
 * server (a fresh database per test file; skipped with a warning when absent, unless required).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { createTestDatabase, postgresAvailable } from './services.js';

export interface Engine {
  engine: 'pglite' | 'postgres';
  available: boolean;
  open(): Promise<{ handle: DatabaseHandle; dataDir: string; cleanup: () => Promise<void> }>;
}

export const ENGINES: Engine[] = [
  {
    engine: 'pglite',
    available: true,
    open: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-db-'));
      const handle = await openDatabase({ databaseUrl: undefined, dataDir });
      await handle.migrate();
      return { handle, dataDir, cleanup: async () => handle.close() };
    },
  },
  {
    engine: 'postgres',
    available: postgresAvailable,
    open: async () => {
      const { url, drop } = await createTestDatabase();
      const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-db-'));
      const handle = await openDatabase({ databaseUrl: url, dataDir });
      await handle.migrate();
      return {
        handle,
        dataDir,
        cleanup: async () => {
          await handle.close();
          await drop();
        },
      };
    },
  },
];
