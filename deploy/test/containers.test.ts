/**
 * The container image and the Compose stack, checked without a Docker engine: the Dockerfile by
 * dockerfilelint and by its shape (multi-stage, non-root, /data only, health check), compose.yaml
 * parsed and held to what docs/deployment.md promises (every service, port, volume and health
 * check), and the nginx configuration by `nginx -t`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEPLOY, ROOT, installed, run } from './tools.js';

interface Service {
  image?: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  read_only?: boolean;
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(DEPLOY, 'docker/Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('passes dockerfilelint', () => {
    const result = run(join(ROOT, 'node_modules/.bin/dockerfilelint'), [
      join(DEPLOY, 'docker/Dockerfile'),
    ]);
    expect(result.status, result.output).toBe(0);
  });

  it('builds in one stage and runs from another, as a non-root user with only /data written', () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\w+)$/gm)].map((m) => m[1]);
    expect(stages).toEqual(['build', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    expect(runtime).toContain('org.opencontainers.image.source');
    // Production dependencies only reach the runtime stage.
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(runtime).not.toMatch(/npm (ci|install)/);
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    for (const entry of ['**/node_modules', '.git', '**/.env']) expect(ignore).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const services = compose.services;
  it('has the whole stack, with the logging services behind a profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'azurite',
        'grafana',
        'jaeger',
        'loki',
        'migrate',
        'minio',
        'nginx',
        'postgres',
        'prometheus',
        'promtail',
        'qrforge',
        'redis',
        'storage-init',
        'worker',
      ].sort(),
    );
    expect(services.loki.profiles).toEqual(['logging']);
    expect(services.promtail.profiles).toEqual(['logging']);
    expect(services.qrforge.command).toEqual(['serve']);
    expect(services.worker.command).toEqual(['worker']);
  });

  it('publishes nginx on 80, Grafana on 3001 and Prometheus on 9090; the app only through nginx', () => {
    expect(services.nginx.ports).toEqual(['80:8080']);
    expect(services.grafana.ports).toEqual(['3001:3000']);
    expect(services.prometheus.ports).toEqual(['9090:9090']);
    expect(services.qrforge.ports).toBeUndefined();
    expect(services.postgres.ports).toBeUndefined();
  });

  it('gives every long-running service a health check, and orders start-up by them', () => {
    const oneShot = ['migrate', 'storage-init'];
    for (const [name, service] of Object.entries(services)) {
      if (oneShot.includes(name)) continue;
      expect(service.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    expect(services.worker.healthcheck?.test?.join(' ')).toContain('/ready');
    expect(services.qrforge.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      'storage-init': { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(services.qrforge.healthcheck?.test?.join(' ')).toContain('/ready');
  });

  it('keeps data in named volumes and the app on a read-only root filesystem', () => {
    for (const name of ['qrforge', 'postgres', 'redis', 'minio', 'prometheus', 'grafana'])
      expect(
        services[name].volumes?.some((v) => Object.keys(compose.volumes).includes(v.split(':')[0])),
        name,
      ).toBe(true);
    for (const name of ['qrforge', 'worker', 'nginx']) expect(services[name].read_only).toBe(true);
  });

  it('wires the app to PostgreSQL, Redis, MinIO (primary), Azurite (backup) and Jaeger', () => {
    const env = services.qrforge.environment!;
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/qrforge:.+@postgres:5432\/qrforge$/);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.STORAGE_PRIMARY).toMatch(/^s3:\/\/qrforge\/codes\?endpoint=http:\/\/minio:9000/);
    expect(env.STORAGE_BACKUP).toBe('azure://qrforge/codes');
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
    expect(services.worker.environment).toMatchObject({ DATABASE_URL: env.DATABASE_URL });
  });

  it('connects the app as an ordinary PostgreSQL role, so row-level security binds it', () => {
    const { postgres } = services;
    // The image's POSTGRES_USER is a superuser: it must not be the app's role.
    expect(postgres.environment?.POSTGRES_USER).not.toBe('qrforge');
    const init = './deploy/docker/postgres-init.sh:/docker-entrypoint-initdb.d/qrforge.sh:ro';
    expect(postgres.volumes).toContain(init);
    const script = readFileSync(join(ROOT, 'deploy/docker/postgres-init.sh'), 'utf8');
    expect(script).toMatch(/create role qrforge login nosuperuser nobypassrls/);
    expect(script).toMatch(/create database qrforge owner qrforge/);
  });

  it('mounts the monitoring files that exist in the repository', () => {
    const mounts = Object.values(services).flatMap((s) =>
      (s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':')[0]),
    );
    expect(mounts.length).toBeGreaterThanOrEqual(6);
    for (const mount of mounts)
      expect(() => readFileSync(join(ROOT, mount)), mount).not.toThrow(/ENOENT/);
  });
});

describe.skipIf(!installed('nginx', 'apt-get install nginx'))('nginx configuration', () => {
  it('passes nginx -t', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'qrforge-nginx-'));
    const result = run('nginx', ['-t', '-c', join(DEPLOY, 'nginx/nginx.conf'), '-p', prefix]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('test is successful');
  });
});
