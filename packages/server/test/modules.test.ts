/**
 * QRFORGE_MODULES: a process serves the routes and job types of the modules it names, and only
 * those; job types must carry their module's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import type { DomainModule } from '../src/modules/registry.js';
import { testConfig } from './helpers/config.js';

/** Two small modules standing in for real ones: a route and a job type each. */
function fakeModule(name: 'generate' | 'scanning'): DomainModule {
  return {
    name,
    tags: [{ name, description: `${name} routes` }],
    routes: async (app) => {
      app.get(`/api/v1/${name}/ping`, async () => ({ module: name }));
    },
    jobs: () => ({ [`${name}.work`]: async () => ({ module: name }) }),
  };
}
const MODULES = [fakeModule('generate'), fakeModule('scanning')];

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openDatabase(testConfig());
  await database.migrate();
});
afterAll(async () => database.close());

async function appServing(modules: string) {
  const config = testConfig({ modules: loadConfig({ QRFORGE_MODULES: modules }).modules });
  return buildApp(config, { database, modules: MODULES });
}

describe('QRFORGE_MODULES', () => {
  it('serves every module by default', async () => {
    const app = await appServing('all');
    expect((await app.server.inject('/api/v1/generate/ping')).json()).toEqual({
      module: 'generate',
    });
    expect((await app.server.inject('/api/v1/scanning/ping')).statusCode).toBe(200);
    expect(Object.keys(app.jobHandlers).sort()).toEqual(['generate.work', 'scanning.work']);
    await app.server.close();
  });

  it('serves only the named modules: routes, job types and OpenAPI tags', async () => {
    const app = await appServing('scanning');
    expect((await app.server.inject('/api/v1/generate/ping')).statusCode).toBe(404);
    expect((await app.server.inject('/api/v1/scanning/ping')).statusCode).toBe(200);
    expect(Object.keys(app.jobHandlers)).toEqual(['scanning.work']);
    const tags = (app.server.swagger() as { tags: { name: string }[] }).tags.map((t) => t.name);
    expect(tags).toContain('scanning');
    expect(tags).not.toContain('generate');
    await app.server.close();
  });

  it('refuses a job type outside its module', async () => {
    const rogue: DomainModule = { name: 'generate', jobs: () => ({ 'scanning.x': async () => 1 }) };
    await expect(buildApp(testConfig(), { database, modules: [rogue] })).rejects.toThrow(
      'Job type scanning.x of module generate must start with "generate."',
    );
  });

  it('stops start-up on an unknown module name', () => {
    expect(() => loadConfig({ QRFORGE_MODULES: 'generate,billing' })).toThrow(/QRFORGE_MODULES/);
  });
});
