/**
 * Writes the generated files that are committed: `.env.example` (from config.ts) and
 * `packages/server/openapi.json` (from the routes' schemas). Tests fail when they are stale.
 * Run with `npm run generate`.
 */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { envExample, loadConfig } from '../src/config.js';

const root = new URL('../../../', import.meta.url);
writeFileSync(new URL('.env.example', root), envExample());
const { server } = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }));
await server.ready();
writeFileSync(
  new URL('packages/server/openapi.json', root),
  JSON.stringify(server.swagger(), null, 2) + '\n',
);
await server.close();
console.log('wrote .env.example and packages/server/openapi.json');
