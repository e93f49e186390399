/**
 * Monitoring files: Prometheus configuration and alert rules (promtool check, and the rules' unit
 * tests with promtool test rules), the Alertmanager configuration (amtool), every Grafana
 * dashboard query (parsed by promtool as recording rules), and every metric an alert or a
 * dashboard uses, found in the app's own /metrics or named as an exporter's.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../packages/server/src/app.js';
import { ENGINES } from '../../packages/server/test/helpers/engines.js';
import { testConfig } from '../../packages/server/test/helpers/config.js';
import { DEPLOY, installed, run } from './tools.js';

const MONITORING = join(DEPLOY, 'monitoring');
const promtool = installed('promtool', 'apt-get install prometheus');
const amtool = installed('amtool', 'apt-get install prometheus-alertmanager');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
const ruleFiles = readdirSync(join(MONITORING, 'rules')).map((f) => join(MONITORING, 'rules', f));
const rules: Rule[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
);
const dashboards = readdirSync(join(MONITORING, 'grafana/dashboards')).map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(MONITORING, 'grafana/dashboards', file), 'utf8')) as {
    uid: string;
    panels: { title: string; targets: { expr: string }[] }[];
  },
}));
const queries = dashboards.flatMap(({ file, json }) =>
  json.panels.flatMap((p) =>
    p.targets.map((t) => ({ where: `${file}: ${p.title}`, expr: t.expr })),
  ),
);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = new Set<string>();
  for (const match of bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || /^(and|or|unless|bool|offset|by|without|on|ignoring|inf|nan)$/i.test(name))
      continue;
    names.add(name);
  }
  return [...names];
}

/** Series that exporters other than QR Forge provide (kube-prometheus-stack collects them). */
const EXTERNAL = new Map<string, string>([
  ['up', 'Prometheus'],
  ['kube_pod_container_status_waiting_reason', 'kube-state-metrics'],
  ['kube_pod_container_status_restarts_total', 'kube-state-metrics'],
  ['kube_pod_status_ready', 'kube-state-metrics'],
  ['kube_pod_container_resource_limits', 'kube-state-metrics'],
  ['container_cpu_usage_seconds_total', 'cAdvisor (kubelet)'],
  ['container_memory_working_set_bytes', 'cAdvisor (kubelet)'],
  ['kubelet_volume_stats_used_bytes', 'kubelet'],
  ['kubelet_volume_stats_capacity_bytes', 'kubelet'],
]);

describe.skipIf(!promtool)('Prometheus configuration and rules', () => {
  it('promtool checks the configuration and every rule file', () => {
    expect(run('promtool', ['check', 'config', 'prometheus.yml'], MONITORING).status).toBe(0);
    const checked = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(checked.status, checked.output).toBe(0);
  });

  it('every alert fires and stays quiet in its unit tests (promtool test rules)', () => {
    const tests = readdirSync(join(MONITORING, 'tests')).map((f) => join('tests', f));
    const result = run('promtool', ['test', 'rules', ...tests], MONITORING);
    expect(result.status, result.output).toBe(0);
    // Each alert is named in a test, firing (with labels) and quiet (no alerts).
    const text = tests.map((f) => readFileSync(join(MONITORING, f), 'utf8')).join('\n');
    for (const rule of rules.filter((r) => r.alert)) {
      const cases = [
        ...text.matchAll(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:(.*)`, 'g')),
      ];
      expect(
        cases.map((c) => (c[1].trim() === '[]' ? 'quiet' : 'fires')).sort(),
        rule.alert,
      ).toEqual(['fires', 'quiet']);
    }
  });

  it('every dashboard query parses (checked by promtool as recording rules)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'qrforge-dashboards-'));
    const file = join(folder, 'dashboards.rules.yml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboards',
            rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr })),
          },
        ],
      }),
    );
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`${queries.length} rules found`);
  });
});

describe.skipIf(!amtool)('Alertmanager configuration', () => {
  it('amtool accepts it, with Slack and PagerDuty receivers', () => {
    const result = run('amtool', ['check-config', 'alertmanager.yml'], MONITORING);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('2 receivers');
    const config = readFileSync(join(MONITORING, 'alertmanager.yml'), 'utf8');
    expect(config).toContain('slack_configs');
    expect(config).toContain('pagerduty_configs');
  });
});

describe('Grafana dashboards', () => {
  it('three dashboards, each with a unique uid and queries on the provisioned data source', () => {
    expect(dashboards.map((d) => d.file).sort()).toEqual([
      'application.json',
      'business.json',
      'infrastructure.json',
    ]);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(3);
    for (const { json } of dashboards) expect(json.panels.length).toBeGreaterThanOrEqual(8);
  });
});

describe('metric names of alerts and dashboards', () => {
  const postgres = ENGINES[1];
  let app: App;
  let exposed: Set<string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (!postgres.available) return;
    // PostgreSQL for the pool gauges; a backup store for the replication metrics.
    const opened = await postgres.open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        storagePrimary: `file://${join(opened.dataDir, 'primary')}`,
        storageBackup: `file://${join(opened.dataDir, 'backup')}`,
      }),
      { database: opened.handle },
    );
    const text = (await app.server.inject('/metrics')).body;
    exposed = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram'
          ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
          : type === 'summary'
            ? [name, `${name}_sum`, `${name}_count`]
            : [name],
      ),
    );
  });
  afterAll(async () => {
    await app?.server.close();
    await cleanup?.();
  });

  it.skipIf(!postgres.available)(
    'each one is exposed by QR Forge or named as an exporter’s',
    () => {
      const used = [
        ...rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
        ...queries,
      ];
      const unknown = used.flatMap(({ where, expr }) =>
        metricNames(expr)
          .filter((name) => !exposed.has(name) && !EXTERNAL.has(name))
          .map((name) => `${where}: ${name}`),
      );
      expect(unknown).toEqual([]);
      // The check sees names: our own families are among them.
      expect(exposed.has('http_requests_total')).toBe(true);
      expect(exposed.has('db_pool_connections')).toBe(true);
    },
  );

  it('finds metric names in PromQL', () => {
    expect(
      metricNames(
        'sum by (le, handler) (rate(x_bucket{job="a", le=~"1|2"}[5m])) / on (instance) y > bool 2',
      ).sort(),
    ).toEqual(['x_bucket', 'y']);
  });
});
