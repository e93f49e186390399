/**
 * The command-line checkers the deploy tests run (promtool, amtool, nginx, kubectl, shellcheck,
 * terraform): whether each is installed, and running one. .ci/run installs them; where one is
 * missing a test skips with a visible warning, unless QRFORGE_REQUIRE_SERVICES=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEPLOY = fileURLToPath(new URL('..', import.meta.url));

export function installed(command: string, hint: string, required = true): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!found && required && process.env.QRFORGE_REQUIRE_SERVICES === '1')
    throw new Error(`${command} is required here (${hint})`);
  if (!found) console.warn(`\n  ⚠ ${command} not installed (${hint}): its checks are SKIPPED\n`);
  return found;
}

export function run(command: string, args: string[], cwd = ROOT, input?: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', input });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
