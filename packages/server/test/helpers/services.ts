/**
 * Real services for integration tests. When one is absent the tests that need it are skipped with
 * a visible message, except under QRFORGE_REQUIRE_SERVICES=1 (CI), where absence is a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_ADMIN_URL =
  process.env.QRFORGE_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REQUIRED = process.env.QRFORGE_REQUIRE_SERVICES === '1';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgresAvailable = await (async () => {
  const ok = await reachable(POSTGRES_ADMIN_URL);
  if (!ok && REQUIRED)
    throw new Error(
      `PostgreSQL is required (QRFORGE_REQUIRE_SERVICES=1) but ${POSTGRES_ADMIN_URL} does not answer`,
    );
  if (!ok)
    console.warn(
      `\n  ⚠ PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable: its tests are SKIPPED\n`,
    );
  return ok;
})();

/**
 * The role the tests connect as: an ordinary one (not a superuser, no BYPASSRLS), as in
 * production, so that PostgreSQL applies the row-level security policies (tenant-scope.ts).
 */
export const TEST_DATABASE_ROLE = 'qrforge_app';

/** A fresh database for one test file, owned by the test role; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `qrforge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  // Test files start in parallel: the first creates the role, the others find it.
  await admin.query(`do $$ begin
      create role ${TEST_DATABASE_ROLE} login nosuperuser nobypassrls;
    exception when duplicate_object or unique_violation then null;
    end $$`);
  await admin.query(`create database ${name} owner ${TEST_DATABASE_ROLE}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  url.username = TEST_DATABASE_ROLE;
  url.password = '';
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export const REDIS_URL = process.env.QRFORGE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const redisAvailable = await (async () => {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  let ok = false;
  try {
    await client.connect();
    ok = (await client.ping()) === 'PONG';
  } catch {
    ok = false;
  } finally {
    client.disconnect();
  }
  if (!ok && REQUIRED)
    throw new Error(
      `Redis is required (QRFORGE_REQUIRE_SERVICES=1) but ${REDIS_URL} does not answer`,
    );
  if (!ok) console.warn(`\n  ⚠ Redis at ${REDIS_URL} is not reachable: its tests are SKIPPED\n`);
  return ok;
})();

/** Deletes the Redis keys a test run left under its prefix. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `${prefix}:*`, count: 500 }))
      keys.push(...(batch as string[]));
    if (keys.length) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
