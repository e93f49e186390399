// Writes deploy/kubernetes/base/prometheusrule.yaml from the alert rules in
// deploy/monitoring/rules, so Compose's Prometheus and kube-prometheus-stack load the same rules.
// `npm run generate` runs it; the deploy tests fail when the file is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const rules = fileURLToPath(new URL('../monitoring/rules/', import.meta.url));
const target = fileURLToPath(new URL('../kubernetes/base/prometheusrule.yaml', import.meta.url));

export function prometheusRule(): string {
  const groups = readdirSync(rules)
    .sort()
    .flatMap((file) => (parse(readFileSync(rules + file, 'utf8')) as { groups: unknown[] }).groups);
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'qrforge', labels: { release: 'kube-prometheus-stack' } },
    spec: { groups },
  };
  return `# Generated from deploy/monitoring/rules by deploy/scripts/prometheus-rule.ts: edit those.\n${stringify(resource, { lineWidth: 0 })}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(target, prometheusRule());
  process.stdout.write(`wrote ${target}\n`);
}
