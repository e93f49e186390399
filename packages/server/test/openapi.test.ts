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

it('is a contract clients can use: security, operationId, description and problem+json errors', () => {
  type Operation = {
    security?: Record<string, string[]>[];
    operationId?: string;
    description?: string;
    responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  };
  const document = JSON.parse(
    readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
  ) as { paths: Record<string, Record<string, Operation>> };
  const faults: string[] = [];
  const anonymous =
    /^\/(health|ready|api\/v1\/(setup|auth\/(login|refresh|logout)|downloads|codes\/render)$)|\/(q|i|01)\//;
  for (const [path, methods] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(methods)) {
      const where = `${method} ${path}`;
      if (!operation.security) faults.push(`${where}: no security`);
      else if (operation.security.length === 0 && !anonymous.test(path))
        faults.push(`${where}: declared public`);
      if (!operation.operationId) faults.push(`${where}: no operationId`);
      if (!operation.description) faults.push(`${where}: no description`);
      for (const [status, response] of Object.entries(operation.responses))
        if (/^[45]/.test(status))
          for (const [type, media] of Object.entries(response.content ?? {}))
            if (type === 'application/problem+json') {
              if (media.schema?.$ref !== '#/components/schemas/Problem')
                faults.push(`${where} ${status}: not the Problem schema`);
            } else if (type !== 'text/html' && where !== 'get /ready')
              // /ready's 503 is its report of each check, for probes and people alike.
              faults.push(`${where} ${status}: ${type}`);
    }
  expect(faults).toEqual([]);
  // Signed-in routes are the rule: bearer or API key.
  expect(document.paths['/api/v1/inventory/items'].get.security).toEqual([
    { bearer: [] },
    { apiKey: [] },
  ]);
});
