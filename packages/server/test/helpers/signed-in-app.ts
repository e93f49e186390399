/**
 * The set-up most HTTP suites repeat: an app on a fresh database of `engine`, tenants a and b with
 * an admin each, and the header of a's admin. `close()` stops the app and drops the database.
 */
import { buildApp, type App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { signIn, twoTenants } from './accounts.js';
import { testConfig } from './config.js';
import type { Engine } from './engines.js';

export interface SignedInApp {
  app: App;
  handle: DatabaseHandle;
  tenantA: string;
  tenantB: string;
  /** Authorization header of admin@a.test. */
  auth: Record<string, string>;
  close: () => Promise<void>;
}

export async function signedInApp(
  engine: Engine,
  overrides: Partial<Config> = {},
): Promise<SignedInApp> {
  const opened = await engine.open();
  const app = await buildApp(testConfig({ dataDir: opened.dataDir, ...overrides }), {
    database: opened.handle,
  });
  const { tenantA, tenantB } = await twoTenants(app);
  const auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  return {
    app,
    handle: opened.handle,
    tenantA,
    tenantB,
    auth,
    close: async () => {
      await app.server.close();
      await opened.cleanup();
    },
  };
}
