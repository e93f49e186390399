/**
 * The Kubernetes manifests: each overlay rendered by `kubectl kustomize` (as `kubectl apply -k`
 * would), every object validated against the Kubernetes schemas (kubernetes-models), and policy
 * held on every workload — non-root, read-only root filesystem, no capabilities, probes on /health
 * and /ready, requests and limits — with default-deny NetworkPolicies and the alert rules loaded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Namespace, ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { prometheusRule } from '../scripts/prometheus-rule.js';
import { DEPLOY, installed, run } from './tools.js';

// kubectl is not a Debian package: this machine has it; elsewhere the rendering is skipped, loudly.
const kubectl = installed('kubectl', 'https://kubernetes.io/docs/tasks/tools/', false);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};
/** Custom resources of kube-prometheus-stack (no schema in kubernetes-models). */
const CUSTOM = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

function render(overlay: string): K8sObject[] {
  const result = run('kubectl', ['kustomize', join(DEPLOY, 'kubernetes/overlays', overlay)]);
  expect(result.status, result.output).toBe(0);
  return parseAllDocuments(result.output).map((d) => d.toJSON() as K8sObject);
}

interface Template {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
type WorkloadSpec = { template?: Template; jobTemplate?: { spec: { template: Template } } };

function template(object: K8sObject): Template | undefined {
  const spec = object.spec as WorkloadSpec | undefined;
  if (object.kind === 'Deployment' || object.kind === 'Job') return spec?.template;
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec.template;
  return undefined;
}
const podSpec = (object: K8sObject): PodSpec | undefined => template(object)?.spec;

describe.skipIf(!kubectl).each(['aws', 'azure'])('overlay %s', (overlay) => {
  const objects = kubectl ? render(overlay) : [];
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  it('renders objects that validate against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThanOrEqual(20);
    for (const object of objects) {
      const type = `${object.apiVersion}/${object.kind}`;
      if (CUSTOM.includes(type)) continue;
      const Model = MODELS[type];
      expect(Model, `no schema for ${type}`).toBeDefined();
      expect(
        () => new Model(object as never).validate(),
        `${type} ${object.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('runs every container non-root, read-only, without capabilities, with requests and limits', () => {
    const workloads = objects.filter((o) => podSpec(o));
    expect(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      'CronJob/qrforge-backup',
      'Deployment/qrforge-serve',
      'Deployment/qrforge-worker',
      'Job/qrforge-migrate',
    ]);
    for (const workload of workloads) {
      const pod = podSpec(workload)!;
      expect(pod.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(pod.serviceAccountName).toBe('qrforge');
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect(container.securityContext, where).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(container.resources?.requests ?? {}).sort(), where).toEqual([
          'cpu',
          'memory',
        ]);
        expect(Object.keys(container.resources?.limits ?? {}).sort(), where).toEqual([
          'cpu',
          'memory',
        ]);
        expect(container.image, where).not.toMatch(/^qrforge(:|$)/); // the overlay's registry
      }
    }
  });

  it('probes serve and worker: started and alive on /health, ready on /ready', () => {
    for (const name of ['qrforge-serve', 'qrforge-worker']) {
      const container = podSpec(named('Deployment', name))!.containers[0];
      expect(container.startupProbe?.httpGet?.path, name).toBe('/health');
      expect(container.livenessProbe?.httpGet?.path, name).toBe('/health');
      expect(container.readinessProbe?.httpGet?.path, name).toBe('/ready');
    }
  });

  it('denies all traffic by default and allows only the named paths', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const deny = named('NetworkPolicy', 'default-deny').spec!;
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(policies.length).toBeGreaterThanOrEqual(4);
    const egress = JSON.stringify(named('NetworkPolicy', 'qrforge-egress').spec);
    expect(egress).toContain('169.254.169.254/32'); // no instance metadata: identity comes from the SA
    for (const port of [53, 5432, 6379, 443]) expect(egress).toContain(`"port":${port}`);
  });

  it('scales, survives disruptions, is scraped and alerts', () => {
    const hpa = named('HorizontalPodAutoscaler', 'qrforge-serve').spec as {
      metrics: { type: string }[];
    };
    expect(hpa.metrics.map((m) => m.type)).toEqual(['Resource', 'Pods']);
    expect(named('PodDisruptionBudget', 'qrforge-serve').spec).toMatchObject({ minAvailable: 1 });
    expect(named('ServiceMonitor', 'qrforge').spec).toMatchObject({
      jobLabel: 'app.kubernetes.io/job',
    });
    expect(named('Service', 'qrforge').metadata.labels?.['app.kubernetes.io/job']).toBe('qrforge');
    const rule = named('PrometheusRule', 'qrforge').spec as {
      groups: { rules: { alert: string }[] }[];
    };
    const alerts = rule.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toContain('QRForgeDown');
    expect(alerts).toContain('QRForgePodCrashLooping');
  });

  it('binds the cloud identity and ingress of its cloud', () => {
    const account = named('ServiceAccount', 'qrforge').metadata.annotations ?? {};
    const ingress = named('Ingress', 'qrforge');
    const config = named('ConfigMap', 'qrforge-config').data!;
    if (overlay === 'aws') {
      expect(account['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(ingress.spec).toMatchObject({ ingressClassName: 'alb' });
      expect(config.STORAGE_PRIMARY).toMatch(/^s3:\/\//);
    } else {
      expect(account['azure.workload.identity/client-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ingress.spec).toMatchObject({ ingressClassName: 'azure-application-gateway' });
      expect(config.STORAGE_PRIMARY).toMatch(/^azure:\/\/.+\?account=/);
      const labels = template(named('Deployment', 'qrforge-serve'))?.metadata?.labels ?? {};
      expect(labels['azure.workload.identity/use']).toBe('true');
    }
  });
});

describe('PrometheusRule', () => {
  it('is generated from deploy/monitoring/rules (run npm run generate after editing them)', () => {
    const committed = readFileSync(join(DEPLOY, 'kubernetes/base/prometheusrule.yaml'), 'utf8');
    expect(parse(committed)).toEqual(parse(prometheusRule()));
  });
});
