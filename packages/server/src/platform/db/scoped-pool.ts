/**
 * A pg Pool whose connections carry the tenant of the code that checks them out (tenant-scope.ts),
 * as the `qrforge.tenant_id` setting the row-level security policies read.
 *
 * Every query goes through `connect()`: Drizzle's plain queries through `Pool.query` (which
 * connects), its transactions through `connect()` itself, before their BEGIN. The setting is
 * session-level and remembered per connection, so it costs a round trip only when a connection
 * changes hands between tenants (or between a tenant and system work), not on every query.
 */
import pg from 'pg';
import { currentTenant } from './tenant-scope.js';

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/** The tenant each connection was last set to ('' = system work, as on a new connection). */
const applied = new WeakMap<pg.PoolClient, string>();

export class ScopedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // Read now, in the caller's context: the pool may hand the connection over from elsewhere.
    const wanted = currentTenant() ?? '';
    const scoped = super.connect().then(async (client) => {
      if ((applied.get(client) ?? '') !== wanted) {
        try {
          await client.query("select set_config('qrforge.tenant_id', $1, false)", [wanted]);
        } catch (error) {
          client.release(error as Error); // its state is unknown: discard it
          throw error;
        }
        applied.set(client, wanted);
      }
      return client;
    });
    if (!callback) return scoped;
    scoped.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error)),
      (error: Error) => callback(error, undefined, () => undefined),
    );
  }
}
