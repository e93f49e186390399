/**
 * `qrforge serve` as a real child process for the tests that need one (crashes, signals, memory):
 * started from the TypeScript source through tsx, or from the compiled `dist/main.js` a deployment
 * runs, and waited for until it answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../../../../', import.meta.url).pathname;
export const MAIN_SOURCE = `${ROOT}packages/server/src/main.ts`;
export const MAIN_COMPILED = `${ROOT}packages/server/dist/main.js`;

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  port: number;
  /** Run `dist/main.js` (built beforehand) instead of the source. */
  compiled?: boolean;
  /** What counts as up: `/health` answering 200 (default), or `/ready` answering 200. */
  until?: '/health' | '/ready';
  timeoutMs?: number;
  /** The child's stderr: shown (default), kept out of the test output, or read by the test. */
  stderr?: 'inherit' | 'ignore' | 'pipe';
}

export interface ServeProcess {
  child: ChildProcess;
  base: string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts `qrforge <command>` (serve by default) and waits until it answers 200. */
export async function startServe(
  {
    env,
    port,
    compiled = false,
    until = '/health',
    timeoutMs = 45_000,
    stderr = 'inherit',
  }: ServeOptions,
  command = 'serve',
): Promise<ServeProcess> {
  const args = compiled ? [MAIN_COMPILED, command] : ['--import', 'tsx', MAIN_SOURCE, command];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', stderr] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + timeoutMs; ;) {
    // Right after start, on a loaded machine, under-pressure may answer 503 while the event loop
    // catches up from the migrations: only a 200 counts.
    const status = await fetch(`${base}${until}`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { child, base, exited };
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(
        `qrforge ${command} did not answer 200 on ${until} within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signs in over HTTP; the header to send as that user. */
export async function signInOverHttp(
  base: string,
  email: string,
  password: string,
): Promise<{ authorization: string }> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}
