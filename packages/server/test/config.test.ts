import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envExample, loadConfig } from '../src/config.js';
import { openStore } from '../src/platform/storage/open.js';

describe('loadConfig', () => {
  it('has embedded defaults: port 8000, PGlite in ./data, all modules', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: 'localhost',
      dataDir: './data',
      databaseUrl: undefined,
      redisUrl: undefined,
      modules: ['generate', 'inventory', 'engraving', 'scanning', 'links'],
      bodyLimitBytes: 1048576,
      requestTimeoutMs: 30000,
      shutdownTimeoutMs: 25000,
      corsOrigins: [],
    });
  });

  it('reads values and module lists', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u@db:5432/qr',
      QRFORGE_MODULES: 'generate, scanning',
      QRFORGE_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
    });
    expect(config.port).toBe(9000);
    expect(config.databaseUrl).toBe('postgres://u@db:5432/qr');
    expect(config.modules).toEqual(['generate', 'scanning']);
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT="eighty" is invalid: expected an integer/],
    [{ PORT: '70000' }, /^PORT="70000" is invalid/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL="mysql:\/\/x" is invalid/],
    [{ QRFORGE_MODULES: 'generate,laser' }, /^QRFORGE_MODULES="generate,laser" is invalid/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is invalid/],
    [
      { STORAGE_PRIMARY: 'gs://bucket' },
      /^STORAGE_PRIMARY="gs:\/\/bucket" is invalid: expected file:\/\/, s3:\/\/, azure:\/\/ followed/,
    ],
    [
      { STORAGE_BACKUP: 's3://b?endpiont=x' },
      /^STORAGE_BACKUP=.* is invalid: expected only the options endpoint, region, path_style, checksum for s3:\/\/, not endpiont$/,
    ],
    [{ STORAGE_PRIMARY: 's3://' }, /expected s3:\/\/<bucket or container>\/<prefix>/],
    [{ STORAGE_PRIMARY: 'azure://c/../x' }, /without "\." or "\.\." segments, not "\.\.\/x"/],
    [{ QRFORGE_CORS_ORIGINS: '*' }, /^QRFORGE_CORS_ORIGINS="\*" is invalid/],
    [{ QRFORGE_BODY_LIMT_BYTES: '10' }, /^QRFORGE_BODY_LIMT_BYTES is not a QR Forge setting/],
  ])('stops on %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('.env.example lists every variable with its default (regenerate with npm run generate)', () => {
    expect(readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')).toBe(
      envExample(),
    );
  });
});

describe('azure:// locations', () => {
  const settings = {
    dataDir: '/tmp',
    azureConnectionString: undefined,
    tryTimeoutMs: 1000,
    maxAttempts: 1,
  };
  it('reach a storage account by name with Azure’s credential chain (workload identity)', async () => {
    const store = await openStore(
      'azure://codes/prod?account=qrforgeprod',
      settings,
      'STORAGE_PRIMARY',
    );
    expect(store.provider).toBe('azure');
  });
  it('need a connection string or an account, and name a bad account', async () => {
    await expect(openStore('azure://codes', settings, 'STORAGE_PRIMARY')).rejects.toThrow(
      /AZURE_STORAGE_CONNECTION_STRING, or \?account=/,
    );
    await expect(
      openStore('azure://codes?account=Not_Valid', settings, 'STORAGE_PRIMARY'),
    ).rejects.toThrow(/account must be a storage account name/);
  });
});
