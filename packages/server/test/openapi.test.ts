/**
 * The committed OpenAPI document and the web page's typed client match the server's routes.
 * In a file of its own: building the document and the types blocks the event loop for seconds,
 * which would put another test file's app "under pressure" (503).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { webApiSchema } from '../scripts/web-api-schema.js';
import { buildApp } from '../src/app.js';
import { openDatabase } from '../src/platform/db/database.js';
import { testConfig } from './helpers/config.js';

it('the committed openapi.json and the web client types are current (npm run generate)', async () => {
  const config = testConfig();
  const database = await openDatabase({ databaseUrl: undefined, dataDir: config.dataDir });
  await database.migrate();
  const fresh = await buildApp(config, { database });
  await fresh.server.ready();
  const document = fresh.server.swagger() as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(['/api/v1/codes', '/api/v1/batches', '/api/v1/auth/login']),
  );
  const committed = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
  expect(JSON.parse(committed)).toEqual(document);
  const schema = readFileSync(
    new URL('../../../apps/web/src/api/schema.ts', import.meta.url),
    'utf8',
  );
  expect(schema).toBe(await webApiSchema(document));
  await fresh.server.close();
  await database.close();
});
