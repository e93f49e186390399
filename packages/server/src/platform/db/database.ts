/**
 * Opens the database: embedded PGlite in `<dataDir>/pg` by default (locked to one process), or
 * PostgreSQL through DATABASE_URL. Both give the same Drizzle API over the same schema and
 * migrations.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { acquireLock } from './pglite-lock.js';
import { ScopedPool } from './scoped-pool.js';
import * as schema from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly engine: 'pglite' | 'postgres';
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  /** Applies pending migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The embedded database's data folder as a gzipped tarball (PGlite only; `qrforge backup`). */
  dump?(): Promise<Blob>;
  /**
   * Whether PostgreSQL applies the row-level security policies to this connection's role: not to
   * a superuser or a BYPASSRLS role (nor to PGlite's only user). A message when it does not.
   */
  rowSecurity(): Promise<{ enforced: true } | { enforced: false; message: string }>;
  /** Connections of the PostgreSQL pool (absent for PGlite, which has one in-process client). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** PGlite's shared_buffers in MB; PostgreSQL's default (128) when unset. */
  embeddedSharedBuffersMb?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : openPglite(options.dataDir, options.embeddedSharedBuffersMb);
}

async function openPglite(dataDir: string, sharedBuffersMb?: number): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'pg');
  const release = acquireLock(join(dataDir, 'pg.lock'), path);
  let client: PGlite;
  try {
    // pg_trgm: the trigram index behind substring search on item UIDs (as on PostgreSQL).
    client = await PGlite.create(path, {
      extensions: { pg_trgm },
      startParams: sharedBuffersMb
        ? [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`]
        : undefined,
    });
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    engine: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    migrate: () =>
      migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
    dump: () => client.dumpDataDir('gzip'),
    rowSecurity: async () => ({
      enforced: false,
      message:
        'The embedded database runs as a superuser: tenant isolation rests on the services alone (row-level security applies on PostgreSQL)',
    }),
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * Creates the embedded database of `dataDir` from a tarball made by `dump()`; the folder must have
 * no database yet. Holds the same lock as a server, so it cannot run beside one.
 */
export async function loadPglite(dataDir: string, tarball: Blob): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'pg');
  const release = acquireLock(join(dataDir, 'pg.lock'), path);
  try {
    const client = await PGlite.create(path, { extensions: { pg_trgm }, loadDataDir: tarball });
    await client.close();
  } finally {
    release();
  }
}

async function openPostgres(url: string): Promise<DatabaseHandle> {
  // ScopedPool: each connection carries the tenant of the code using it (row-level security).
  const pool = new ScopedPool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    // Cap every statement so a stuck query cannot hold a request forever.
    statement_timeout: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = drizzlePg(pool, { schema });
  return {
    db: db as unknown as Database,
    engine: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    migrate: () => migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pool.end(),
    rowSecurity: async () => {
      const { rows } = await pool.query<{ name: string; bypasses: boolean }>(
        'select rolname as name, rolsuper or rolbypassrls as bypasses from pg_roles where rolname = current_user',
      );
      if (!rows[0]?.bypasses) return { enforced: true };
      return {
        enforced: false,
        message: `PostgreSQL role "${rows[0].name}" is a superuser or has BYPASSRLS: row-level security does not apply, so tenant isolation rests on the services alone; connect as an ordinary role (docs/security.md)`,
      };
    },
    poolStats: () => pool.stats(),
  };
}
