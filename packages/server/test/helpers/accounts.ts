/** Test set-up shared by the HTTP suites: two tenants with an admin each, and sign-in. */
import type { App } from '../../src/app.js';

export const TEST_PASSWORD = 'correct horse battery staple';

/** Tenants `slugA` and `slugB`, with admins admin@a.test and admin@b.test. */
export async function twoTenants(
  app: App,
  slugA = 'a',
  slugB = 'b',
): Promise<{ tenantA: string; tenantB: string }> {
  const tenantA = (await app.accounts!.createTenant(slugA, slugA.toUpperCase())).id;
  const tenantB = (await app.accounts!.createTenant(slugB, slugB.toUpperCase())).id;
  await app.accounts!.addUser({
    email: 'admin@a.test',
    password: TEST_PASSWORD,
    tenantId: tenantA,
    role: 'admin',
  });
  await app.accounts!.addUser({
    email: 'admin@b.test',
    password: TEST_PASSWORD,
    tenantId: tenantB,
    role: 'admin',
  });
  return { tenantA, tenantB };
}

/** An access token for the user, through POST /api/v1/auth/login. */
export async function signIn(
  app: App,
  email: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: TEST_PASSWORD },
    headers,
  });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${res.body}`);
  return res.json<{ accessToken: string }>().accessToken;
}
