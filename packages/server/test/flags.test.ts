/**
 * Feature flags through OpenFeature: a per-tenant value from the flags file switches dynamic codes
 * off for one tenant only, an edit of the file is picked up without a restart, a bad edit keeps the
 * last good flags, the environment beats the file, and misspelt or malformed flag variables stop
 * start-up.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

const pglite = ENGINES[0];

describe('feature flags', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let a: Record<string, string>;
  let b: Record<string, string>;
  const file = join(mkdtempSync(join(tmpdir(), 'qrforge-flags-')), 'flags.json');
  const writeFlags = (flags: unknown) => writeFileSync(file, JSON.stringify(flags));

  const makeDynamic = (headers: Record<string, string>) =>
    app.server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers,
      payload: { data: 'https://example.com/manual', dynamic: true, store: true },
    });
  const features = async (headers: Record<string, string>) =>
    (await app.server.inject({ url: '/api/v1/features', headers })).json<{
      flags: Record<string, boolean>;
    }>().flags;
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
  };

  beforeAll(async () => {
    const opened = await pglite.open();
    cleanup = opened.cleanup;
    writeFlags({});
    app = await buildApp(testConfig({ dataDir: opened.dataDir, flagsFile: file }), {
      database: opened.handle,
    });
    ({ tenantA } = await twoTenants(app));
    a = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    b = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
    delete process.env.QRFORGE_FLAG_SCAN_QUALITY_REPORT;
  });

  it('switches a feature off for one tenant from the file, without a restart', async () => {
    expect(await features(a)).toEqual({ 'dynamic-codes': true, 'scan-quality-report': true });
    expect((await makeDynamic(a)).statusCode).toBe(201);

    writeFlags({ 'dynamic-codes': { default: true, tenants: { [tenantA]: false } } });
    await until(async () => (await features(a))['dynamic-codes'] === false);
    const refused = await makeDynamic(a);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'FEATURE_ERR_OFF', flag: 'dynamic-codes' });
    expect((await makeDynamic(b)).statusCode).toBe(201);
    expect((await features(b))['dynamic-codes']).toBe(true);

    // A broken edit keeps the last good flags rather than falling back to the defaults.
    writeFileSync(file, '{ "dynamic-codes": ');
    await new Promise((r) => setTimeout(r, 2500));
    expect((await features(a))['dynamic-codes']).toBe(false);

    writeFlags({ 'dynamic-codes': true });
    await until(async () => (await features(a))['dynamic-codes'] === true);
    expect((await makeDynamic(a)).statusCode).toBe(201);
  });

  it('lets the environment override the file', async () => {
    writeFlags({ 'scan-quality-report': true });
    process.env.QRFORGE_FLAG_SCAN_QUALITY_REPORT = 'false';
    expect((await features(a))['scan-quality-report']).toBe(false);
    delete process.env.QRFORGE_FLAG_SCAN_QUALITY_REPORT;
    expect((await features(a))['scan-quality-report']).toBe(true);
  });

  it('needs a signed-in caller', async () => {
    expect((await app.server.inject({ url: '/api/v1/features' })).statusCode).toBe(401);
  });
});

describe('flag settings', () => {
  it('stop start-up on a misspelt flag variable or a value other than true/false', () => {
    expect(() => loadConfig({ QRFORGE_FLAG_DYNAMIC_CODE: 'false' })).toThrow(
      /QRFORGE_FLAG_DYNAMIC_CODE is not a QR Forge setting/,
    );
    expect(() => loadConfig({ QRFORGE_FLAG_DYNAMIC_CODES: 'off' })).toThrow(
      /QRFORGE_FLAG_DYNAMIC_CODES="off" is invalid/,
    );
    expect(loadConfig({ QRFORGE_FLAG_DYNAMIC_CODES: 'false' })).toBeTruthy();
  });

  it('stop start-up on a flags file that cannot be read, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrforge-flags-'));
    const bad = join(dir, 'flags.json');
    writeFileSync(bad, '{"dynamic-codes": "no"}');
    await expect(buildApp(testConfig({ dataDir: dir, flagsFile: bad }))).rejects.toThrow(
      /flags\.json: "dynamic-codes" must be true, false or/,
    );
    await expect(
      buildApp(testConfig({ dataDir: dir, flagsFile: join(dir, 'missing.json') })),
    ).rejects.toThrow(/missing\.json/);
  });
});
