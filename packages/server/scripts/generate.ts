/**
 * Writes the generated files that are committed: `.env.example` (from config.ts),
 * `packages/server/openapi.json` (from the routes' schemas, every module's routes: the app is
 * built on a throw-away embedded database) and the web page's typed API client
 * `apps/web/src/api/schema.ts` (openapi-typescript). Tests fail when they are stale.
 * Run with `npm run generate`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { envExample, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { webApiSchema } from './web-api-schema.js';

const root = new URL('../../../', import.meta.url);
writeFileSync(new URL('.env.example', root), envExample());
const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-generate-'));
const database = await openDatabase({ databaseUrl: undefined, dataDir });
await database.migrate();
const { server } = await buildApp(
  { ...loadConfig({ LOG_LEVEL: 'silent' }), dataDir },
  { database },
);
await server.ready();
const document = server.swagger();
writeFileSync(
  new URL('packages/server/openapi.json', root),
  JSON.stringify(document, null, 2) + '\n',
);
writeFileSync(new URL('apps/web/src/api/schema.ts', root), await webApiSchema(document));
await server.close();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
console.log('wrote .env.example, packages/server/openapi.json and apps/web/src/api/schema.ts');
