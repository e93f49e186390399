/**
 * A pg Pool whose connections carry the tenant of the code that checks them out (tenant-scope.ts),
 * as the `qrforge.tenant_id` setting the row-level security policies read.
 *
 * Every query goes through `connect()`: Drizzle's plain queries through `Pool.query` (which
 * connects), its transactions through `connect()` itself, before their BEGIN. Two sets of
 * connections share the configured maximum: system work's, whose setting is never set, and
 * tenants', set at checkout when the connection last served another tenant (session-level,
 * remembered per connection). Why two: a request first reads its caller as system work (the
 * guard), then runs as the tenant; on one set, nearly every request flipped its connection there
 * and back, two extra round trips (the mixed load's saturation 875 requests/s on one set, 1,017
 * on two, in one comparison: `npm run bench:load` on PostgreSQL + Redis).
 */
import pg from 'pg';
import { currentTenant } from './tenant-scope.js';

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/** The tenant each of the tenants' connections was last set to. */
const applied = new WeakMap<pg.PoolClient, string>();

export class ScopedPool extends pg.Pool {
  /** System work's connections (this pool itself holds the tenants'). */
  private readonly system: pg.Pool;

  constructor(config: pg.PoolConfig & { max: number }) {
    const forSystem = Math.max(1, Math.floor(config.max / 3));
    super({ ...config, max: Math.max(1, config.max - forSystem) });
    this.system = new pg.Pool({ ...config, max: forSystem });
    this.system.on('error', (error) => this.emit('error', error));
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // Read now, in the caller's context: the pool may hand the connection over from elsewhere.
    const tenant = currentTenant();
    const scoped = tenant === null ? this.system.connect() : this.forTenant(tenant);
    if (!callback) return scoped;
    scoped.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error)),
      (error: Error) => callback(error, undefined, () => undefined),
    );
  }

  private async forTenant(tenant: string): Promise<pg.PoolClient> {
    const client = await super.connect();
    if (applied.get(client) !== tenant) {
      try {
        await client.query("select set_config('qrforge.tenant_id', $1, false)", [tenant]);
      } catch (error) {
        client.release(error as Error); // its state is unknown: discard it
        throw error;
      }
      applied.set(client, tenant);
    }
    return client;
  }

  /** Both sets of connections, counted together. */
  stats(): { total: number; idle: number; waiting: number; max: number } {
    const pools = [this, this.system] as pg.Pool[];
    const sum = (read: (pool: pg.Pool) => number) => pools.reduce((n, p) => n + read(p), 0);
    return {
      total: sum((p) => p.totalCount),
      idle: sum((p) => p.idleCount),
      waiting: sum((p) => p.waitingCount),
      max: sum((p) => p.options.max ?? 0),
    };
  }

  override async end(): Promise<void> {
    await Promise.all([super.end(), this.system.end()]);
  }
}
