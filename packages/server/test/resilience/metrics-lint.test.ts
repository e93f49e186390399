/**
 * `promtool check metrics` (Debian package prometheus; installed by .ci/run) finds nothing wrong
 * with our own metric families, scraped from an app with every module after some traffic; and no
 * label carries an unbounded value (an ID, a raw URL, an e-mail). prom-client's default process
 * gauges named *_total draw known complaints; those are printed, not asserted (RELIABILITY.md,
 * "Known pitfalls").
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { ENGINES } from '../helpers/engines.js';
import { figure } from './figure.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.QRFORGE_REQUIRE_SERVICES === '1')
  throw new Error('promtool is required (apt-get install prometheus)');
if (!promtool)
  console.warn('\n  ⚠ promtool not installed (apt-get install prometheus): metrics lint SKIPPED\n');

/** prom-client's collectDefaultMetrics families: not ours. */
const DEFAULTS = /^(?:# (?:HELP|TYPE) )?(?:process_|nodejs_)/;
const UNBOUNDED = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, // a UUID
  /@/, // an e-mail
  /\?/, // a query string
  /\/[0-9a-f]{16,}/i, // a long hex ID in a path
  /\/\d{3,}/, // a number in a path
];

function check(text: string) {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: (result.stdout + result.stderr).trim() };
}

describe.skipIf(!promtool)('promtool check metrics', () => {
  it('reports nothing on our own metrics; no label is unbounded', async () => {
    const opened = await ENGINES[0].open();
    const app = await buildApp(testConfig({ dataDir: opened.dataDir }), {
      database: opened.handle,
    });
    const { server } = app;
    await twoTenants(app);
    const headers = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    await server.inject('/health');
    await server.inject('/no/such/route/12345?x=1');
    const code = await server.inject({
      method: 'POST',
      url: '/api/v1/codes',
      headers,
      payload: { data: 'metrics', store: true },
    });
    await server.inject({ url: `/api/v1/codes/${code.json<{ id: string }>().id}`, headers });
    await server.inject({ url: `/api/v1/codes/00000000-0000-0000-0000-000000000000`, headers });
    await server.inject('/q/abcdefghi');
    const text = (await server.inject('/metrics')).body;
    await server.close();
    await opened.cleanup();

    const own = text
      .split('\n')
      .filter((line) => line && !DEFAULTS.test(line))
      .join('\n');
    const families = new Set(own.match(/^# TYPE (\S+)/gm));
    expect(families.size).toBeGreaterThan(15);
    expect(check(`${own}\n`)).toEqual({ status: 0, output: '' });

    const samples = own.split('\n').filter((line) => !line.startsWith('#'));
    const values = samples.flatMap((line) =>
      [...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}=${m[2]}`),
    );
    const unbounded = values.filter((v) => UNBOUNDED.some((re) => re.test(v)));
    expect(unbounded).toEqual([]);
    figure(
      'Metrics',
      `promtool check metrics: 0 problems over ${families.size} own families; label audit: 0 unbounded values among ${values.length} labels of ${samples.length} samples`,
    );
    const all = check(text);
    if (all.output)
      console.info(`promtool on prom-client's default metrics (not ours):\n${all.output}`);
  });
});
