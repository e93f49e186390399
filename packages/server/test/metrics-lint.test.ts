/**
 * `promtool check metrics` (Debian package prometheus; installed by .ci/run) finds nothing wrong
 * with our own metric families. prom-client's default process gauges named *_total draw known
 * complaints; those are printed, not asserted (RELIABILITY.md, "Known pitfalls").
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { testConfig } from './helpers/config.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.QRFORGE_REQUIRE_SERVICES === '1')
  throw new Error('promtool is required (apt-get install prometheus)');
if (!promtool)
  console.warn('\n  ⚠ promtool not installed (apt-get install prometheus): metrics lint SKIPPED\n');

const OWN =
  /^(?:# (?:HELP|TYPE) )?(?:http_requests_total|http_request_duration_seconds(?:_bucket|_sum|_count)?|http_requests_inprogress)[{ ]/;

function check(text: string) {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: (result.stdout + result.stderr).trim() };
}

describe.skipIf(!promtool)('promtool check metrics', () => {
  it('reports nothing on our own metrics', async () => {
    const { server } = await buildApp(testConfig());
    await server.inject('/health');
    await server.inject('/no/such/route');
    const text = (await server.inject('/metrics')).body;
    await server.close();
    const own =
      text
        .split('\n')
        .filter((line) => OWN.test(line))
        .join('\n') + '\n';
    expect(own).toContain('http_request_duration_seconds_bucket');
    expect(check(own)).toEqual({ status: 0, output: '' });
    const all = check(text);
    if (all.output)
      console.info(`promtool on prom-client's default metrics (not ours):\n${all.output}`);
  });
});
