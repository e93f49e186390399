/**
 * Which tenant the database may show to the code running now: the second layer of tenant
 * isolation, under the services' own `where tenant_id = …` filters.
 *
 * PostgreSQL's row-level security policies (migration 0023) let a connection see and write only
 * the rows of the tenant in its `qrforge.tenant_id` setting; an empty or unset setting is system
 * work (sign-in, workers, public pages, migrations) and sees every row. Each request starts
 * unscoped and is narrowed by the auth guard once it knows the caller's tenant; from then on every
 * query of that request, and of anything it starts, runs as that tenant (ScopedPool applies the
 * setting on the connection). So a query that forgets its tenant filter still cannot read or
 * change another tenant's rows.
 *
 * PGlite's only user is a superuser, for whom PostgreSQL skips the policies: the layer holds on
 * PostgreSQL, where the app connects as an ordinary role (docs/security.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  tenantId: string | null;
}

const storage = new AsyncLocalStorage<Scope>();

/** The tenant whose rows the current code may touch; null = system work (every row). */
export function currentTenant(): string | null {
  return storage.getStore()?.tenantId ?? null;
}

/** Runs `fn` (and everything it starts) as one tenant. */
export function withTenant<T>(tenantId: string, fn: () => T): T {
  return storage.run({ tenantId }, fn);
}

/**
 * Starts an unscoped scope for one request, to be narrowed by `narrowToTenant`. Callback style,
 * so that the rest of Fastify's hook chain and the handler run inside it.
 */
export function enterRequestScope(next: () => void): void {
  storage.run({ tenantId: null }, next);
}

/** Narrows the current request's scope to the caller's tenant (the auth guard calls it). */
export function narrowToTenant(tenantId: string): void {
  const scope = storage.getStore();
  if (scope) scope.tenantId = tenantId;
}
