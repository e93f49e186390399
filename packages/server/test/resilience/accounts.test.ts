/**
 * Accounts over HTTP on both engines: sign-in, JWT attacks, refresh rotation and reuse detection,
 * logout, password change and disabling end sessions, API keys, roles, tenant isolation of the
 * tenant header, and failed-login throttling.
 */
import { SignJWT, base64url, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { AUDIENCE, ISSUER } from '../../src/platform/auth/access-tokens.js';
import { hashPassword, verifyPassword } from '../../src/platform/auth/passwords.js';
import { apiKeys, refreshTokens } from '../../src/platform/db/schema.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { testConfig } from '../helpers/config.js';
import { loadConfig } from '../../src/config.js';
import { figure } from './figure.js';
import { ENGINES } from '../helpers/engines.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const PASSWORD = 'correct horse battery staple';

describe.each(ENGINES)('accounts on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let tenantB: string;

  const login = (email: string, password = PASSWORD, ip = '10.0.0.1') =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
  const bearer = (token: string, tenant?: string) => ({
    authorization: `Bearer ${token}`,
    ...(tenant ? { 'x-tenant-id': tenant } : {}),
  });
  const tokenOf = async (email: string) =>
    (await login(email)).json<{ accessToken: string; refreshToken: string }>();

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: SECRET,
        loginMaxFailures: 3,
        loginWindowSeconds: 2,
      }),
      { database: handle },
    );
    const accounts = app.accounts!;
    tenantA = (await accounts.createTenant('line-a', 'Line A')).id;
    tenantB = (await accounts.createTenant('line-b', 'Line B')).id;
    await accounts.addUser({
      email: 'admin@a.test',
      password: PASSWORD,
      tenantId: tenantA,
      role: 'admin',
    });
    await accounts.addUser({
      email: 'viewer@a.test',
      password: PASSWORD,
      tenantId: tenantA,
      role: 'viewer',
    });
    await accounts.addUser({
      email: 'admin@b.test',
      password: PASSWORD,
      tenantId: tenantB,
      role: 'admin',
    });
    await accounts.addUser({
      email: 'both@x.test',
      password: PASSWORD,
      tenantId: tenantA,
      role: 'viewer',
    });
    await accounts.addUser({ email: 'both@x.test', tenantId: tenantB, role: 'operator' });
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await cleanup();
  });

  it.skipIf(!available)(
    'signs in and returns a short-lived access token and a refresh token',
    async () => {
      const res = await login('Admin@A.test');
      expect(res.statusCode).toBe(200);
      const body = res.json<{ accessToken: string; expiresIn: number; tokenType: string }>();
      expect(body.tokenType).toBe('Bearer');
      expect(body.expiresIn).toBeLessThanOrEqual(900);
      const me = await app.server.inject({
        url: '/api/v1/auth/me',
        headers: bearer(body.accessToken),
      });
      expect(me.json()).toMatchObject({
        email: 'admin@a.test',
        tenants: [{ slug: 'line-a', role: 'admin' }],
      });
    },
  );

  it.skipIf(!available)('refuses a wrong password and an unknown account alike', async () => {
    const wrong = await login('admin@a.test', 'wrong password here', '10.0.0.2');
    const unknown = await login('nobody@a.test', PASSWORD, '10.0.0.3');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ detail: string }>().detail).toBe(unknown.json<{ detail: string }>().detail);
  });

  it.skipIf(!available)(
    'rejects forged, alg=none, expired, wrong-audience tokens and refresh tokens used as access tokens',
    async () => {
      const { accessToken, refreshToken } = await tokenOf('admin@a.test');
      const payload = new TextDecoder().decode(base64url.decode(accessToken.split('.')[1]));
      const { sub } = JSON.parse(payload) as { sub: string };
      const key = new TextEncoder().encode(SECRET);
      const sign = (claims: Record<string, unknown>, secret = key) =>
        new SignJWT({ typ: 'access', ...claims })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(secret);
      const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ sub, iss: ISSUER, aud: AUDIENCE, typ: 'access', exp: 9e9, iat: 1 }))}.`;
      const cases = {
        forged: await sign(
          {},
          new TextEncoder().encode('another-secret-another-secret-0123456789'),
        ),
        algNone: none,
        expired: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(key),
        wrongAudience: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuer(ISSUER)
          .setAudience('other')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key),
        wrongIssuer: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuer('someone-else')
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key),
        // Asymmetric algorithms are never accepted (no RS/HS confusion possible).
        rs256: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'RS256' })
          .setSubject(sub)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign((await generateKeyPair('RS256')).privateKey),
        // Clock skew tolerated is at most 30 s.
        expired31sAgo: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 31)
          .sign(key),
        refreshAsAccess: refreshToken,
      };
      expect(
        (await app.server.inject({ url: '/api/v1/auth/me', headers: bearer(await sign({})) }))
          .statusCode,
      ).toBe(200);
      for (const [name, token] of Object.entries(cases)) {
        const res = await app.server.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
        expect([name, res.statusCode]).toEqual([name, 401]);
      }
      const ttl = loadConfig({}).accessTokenTtlSeconds;
      expect(ttl).toBeLessThanOrEqual(900);
      figure(
        'JWT',
        `${engine.engine}: ${Object.keys(cases).length} of ${Object.keys(cases).length} bad tokens 401 (${Object.keys(cases).join(', ')}); skew <= 30 s; access TTL ${ttl} s`,
      );
    },
  );

  it.skipIf(!available)(
    'rotates refresh tokens; reusing an old one revokes the whole family',
    async () => {
      const first = await tokenOf('admin@a.test');
      const refresh = (token: string) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: token },
        });
      const r2 = await refresh(first.refreshToken);
      expect(r2.statusCode).toBe(200);
      const second = r2.json<{ refreshToken: string }>();
      expect((await refresh(first.refreshToken)).statusCode).toBe(401); // reuse of R1
      expect((await refresh(second.refreshToken)).statusCode).toBe(401); // R2 revoked with its family
      figure(
        'Refresh tokens',
        `${engine.engine}: reuse of R1 -> 401 and R2 revoked with its family`,
      );
    },
  );

  it.skipIf(!available)(
    'logout, password change and disabling the user end refresh tokens',
    async () => {
      const refresh = (token: string) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: token },
        });
      const a = await tokenOf('viewer@a.test');
      expect(
        (
          await app.server.inject({
            method: 'POST',
            url: '/api/v1/auth/logout',
            payload: { refreshToken: a.refreshToken },
          })
        ).statusCode,
      ).toBe(204);
      expect((await refresh(a.refreshToken)).statusCode).toBe(401);

      const b = await tokenOf('viewer@a.test');
      const newPassword = 'a much better passphrase 42';
      const change = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: bearer(b.accessToken),
        payload: { currentPassword: PASSWORD, newPassword },
      });
      expect(change.statusCode).toBe(204);
      expect((await refresh(b.refreshToken)).statusCode).toBe(401);
      expect((await login('viewer@a.test', newPassword)).statusCode).toBe(200);

      const admin = await tokenOf('admin@a.test');
      const c = (await login('viewer@a.test', newPassword)).json<{
        refreshToken: string;
        accessToken: string;
      }>();
      const viewerId = (
        await app.server.inject({ url: '/api/v1/auth/me', headers: bearer(c.accessToken) })
      ).json<{ id: string }>().id;
      const disable = await app.server.inject({
        method: 'PATCH',
        url: `/api/v1/users/${viewerId}`,
        headers: bearer(admin.accessToken),
        payload: { disabled: true },
      });
      expect(disable.statusCode).toBe(204);
      expect((await refresh(c.refreshToken)).statusCode).toBe(401);
      expect(
        (await app.server.inject({ url: '/api/v1/auth/me', headers: bearer(c.accessToken) }))
          .statusCode,
      ).toBe(401);
      expect((await login('viewer@a.test', newPassword)).statusCode).toBe(401);
      await app.server.inject({
        method: 'PATCH',
        url: `/api/v1/users/${viewerId}`,
        headers: bearer(admin.accessToken),
        payload: { disabled: false },
      });
      figure(
        'Refresh tokens',
        `${engine.engine}: refresh after logout, password change and disabling -> 401 (3 of 3)`,
      );
    },
  );

  it.skipIf(!available)(
    'API keys: shown once, stored as a hash, bound to tenant and role, revocable',
    async () => {
      const admin = await tokenOf('admin@a.test');
      const created = await app.server.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(admin.accessToken),
        payload: { name: 'line scanner', role: 'viewer' },
      });
      expect(created.statusCode).toBe(201);
      const { id, key } = created.json<{ id: string; key: string }>();
      const listed = await app.server.inject({
        url: '/api/v1/api-keys',
        headers: bearer(admin.accessToken),
      });
      expect(listed.body).not.toContain(key);
      const rows = await handle.db.select().from(apiKeys);
      expect(JSON.stringify(rows)).not.toContain(key);
      // Bound to tenant A as viewer: reads its own tenant, cannot administer.
      const asKey = { 'x-api-key': key };
      expect(
        (await app.server.inject({ url: '/api/v1/api-keys', headers: asKey })).statusCode,
      ).toBe(403);
      // Revoked: the next request fails.
      expect(
        (
          await app.server.inject({
            method: 'DELETE',
            url: `/api/v1/api-keys/${id}`,
            headers: bearer(admin.accessToken),
          })
        ).statusCode,
      ).toBe(204);
      expect(
        (await app.server.inject({ url: '/api/v1/api-keys', headers: asKey })).statusCode,
      ).toBe(401);
      // Another tenant's admin cannot see or revoke it: 404, not 403.
      const other = await tokenOf('admin@b.test');
      expect(
        (
          await app.server.inject({
            method: 'DELETE',
            url: `/api/v1/api-keys/${id}`,
            headers: bearer(other.accessToken),
          })
        ).statusCode,
      ).toBe(404);
      figure(
        'API keys',
        `${engine.engine}: shown once, 0 plaintext hits in the api_keys rows, revoked -> 401 on the next request, viewer key -> 403 on admin route, other tenant -> 404`,
      );
    },
  );

  it.skipIf(!available)(
    'roles: viewers cannot write; a tenant the caller does not belong to is 404',
    async () => {
      const viewer = await tokenOf('both@x.test');
      expect(
        (await app.server.inject({ url: '/api/v1/api-keys', headers: bearer(viewer.accessToken) }))
          .statusCode,
      ).toBe(400); // two tenants: must choose
      expect(
        (
          await app.server.inject({
            url: '/api/v1/api-keys',
            headers: bearer(viewer.accessToken, 'line-a'),
          })
        ).statusCode,
      ).toBe(403);
      const admin = await tokenOf('admin@a.test');
      expect(
        (
          await app.server.inject({
            url: '/api/v1/api-keys',
            headers: bearer(admin.accessToken, tenantB),
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await app.server.inject({
            url: '/api/v1/api-keys',
            headers: bearer(admin.accessToken, 'line-a'),
          })
        ).statusCode,
      ).toBe(200);
      expect((await app.server.inject({ url: '/api/v1/api-keys' })).statusCode).toBe(401);
    },
  );

  it.skipIf(!available)(
    'throttles failed sign-ins per account and per IP, then lets the owner in after the window',
    async () => {
      const email = 'admin@b.test';
      for (let i = 0; i < 3; i++)
        expect((await login(email, 'wrong password!!', `10.1.0.${i}`)).statusCode).toBe(401);
      const blocked = await login(email, PASSWORD, '10.1.0.99');
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Per IP: one address failing against different accounts.
      for (const who of ['x1@b.test', 'x2@b.test', 'x3@b.test'])
        await login(who, 'wrong password!!', '10.2.0.1');
      expect((await login('admin@a.test', PASSWORD, '10.2.0.1')).statusCode).toBe(429);
      await new Promise((r) => setTimeout(r, 2100));
      expect((await login(email, PASSWORD, '10.1.0.99')).statusCode).toBe(200);
    },
  );

  it.skipIf(!available)(
    'refuses common and short passwords; accepts a 64-character Unicode one',
    async () => {
      const admin = await tokenOf('admin@a.test');
      const add = (email: string, password: string) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: bearer(admin.accessToken),
          payload: { email, password, role: 'viewer' },
        });
      const common = await add('new1@a.test', 'password123');
      expect(common.statusCode).toBe(422);
      expect(common.json()).toMatchObject({
        code: 'ACCOUNT_ERR_WEAK_PASSWORD',
        detail: 'The password is one of the most common passwords',
      });
      expect((await add('new2@a.test', 'short')).statusCode).toBe(422);
      const unicode = 'Ωμέγα-パスワード-🔐-'.repeat(4).slice(0, 64);
      expect((await add('new3@a.test', unicode)).statusCode).toBe(201);
      expect((await login('new3@a.test', unicode)).statusCode).toBe(200);
      figure(
        'Password storage',
        `${engine.engine}: common password 422, short 422, 64-char Unicode accepted and signs in`,
      );
    },
  );

  it.skipIf(!available)('stores refresh tokens only as hashes', async () => {
    const { refreshToken } = await tokenOf('admin@a.test');
    expect(JSON.stringify(await handle.db.select().from(refreshTokens))).not.toContain(
      refreshToken,
    );
  });
});

describe('password hashes', () => {
  it('use scrypt with 32 MiB of memory and verify only the right password', async () => {
    const hash = await hashPassword('a fine password');
    const [scheme, n, r, p] = hash.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', 32768, 8, 3]);
    expect(128 * Number(n) * Number(r)).toBeGreaterThanOrEqual(19 * 1024 * 1024);
    expect(await verifyPassword('a fine password', hash)).toBe(true);
    expect(await verifyPassword('a fine passwore', hash)).toBe(false);
    figure(
      'Password storage',
      `scrypt N=${n} r=${r} p=${p}: ${(128 * Number(n) * Number(r)) / 2 ** 20} MiB per hash (OWASP's scrypt row for 32 MiB needs p >= 3; ASVS's argon2id floor is 19 MiB)`,
    );
  });
});

describe('sign-in brute force at the default limits', () => {
  const WINDOW_S = 15;
  const defaults = loadConfig({});
  let app: App;
  let cleanup: () => Promise<void>;
  const login = (email: string, password: string, ip: string) =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
  /** Bad passwords until the first 429: how many were let through, and that 429. */
  const attack = async (next: (i: number) => { email: string; ip: string }) => {
    for (let i = 0; i < 30; i++) {
      const { email, ip } = next(i);
      const res = await login(email, 'not the password', ip);
      if (res.statusCode === 429) return { tries: i, blocked: res };
      expect(res.statusCode).toBe(401);
    }
    return { tries: 30, blocked: undefined };
  };

  beforeAll(async () => {
    const opened = await ENGINES[0].open();
    cleanup = opened.cleanup;
    // The default failure count; a short window so "after the window" fits in a test, yet long
    // enough that 30 slow (scrypt) failures on a loaded machine all fall inside it.
    app = await buildApp(
      testConfig({ dataDir: opened.dataDir, jwtSecret: SECRET, loginWindowSeconds: WINDOW_S }),
      { database: opened.handle },
    );
    const tenant = (await app.accounts!.createTenant('brute', 'Brute')).id;
    for (const email of ['one@brute.test', 'two@brute.test'])
      await app.accounts!.addUser({ email, password: PASSWORD, tenantId: tenant, role: 'admin' });
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
  });

  it('answers 429 with Retry-After after 10 failures per account and per IP; the owner gets in after the window', async () => {
    expect(defaults.loginMaxFailures).toBeLessThanOrEqual(10);
    expect(defaults.loginWindowSeconds).toBe(900);

    const oneIp = await attack(() => ({ email: 'one@brute.test', ip: '10.9.0.1' }));
    // Blocked means blocked: the right password from elsewhere is refused too while it lasts.
    expect((await login('one@brute.test', PASSWORD, '10.9.3.1')).statusCode).toBe(429);
    const manyIps = await attack((i) => ({ email: 'two@brute.test', ip: `10.9.1.${i % 20}` }));
    const sprayed = await attack((i) => ({ email: `nobody${i}@brute.test`, ip: '10.9.2.1' }));
    for (const { tries, blocked } of [oneIp, manyIps, sprayed]) {
      expect(tries).toBe(defaults.loginMaxFailures);
      expect(Number(blocked!.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked!.headers['content-type']).toContain('application/problem+json');
    }
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 100)); // the window
    expect((await login('one@brute.test', PASSWORD, '10.9.3.1')).statusCode).toBe(200);
    expect((await login('two@brute.test', PASSWORD, '10.9.1.1')).statusCode).toBe(200);
    figure(
      'Login brute force',
      `429 + Retry-After after ${oneIp.tries} failures (1 account, 1 IP), ${manyIps.tries} (1 account, 20 IPs), ${sprayed.tries} (1 IP, 30 accounts); limit ${defaults.loginMaxFailures} per ${defaults.loginWindowSeconds / 60} min; owner signs in after the window`,
    );
  });
});
