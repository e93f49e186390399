// Shared by the server benchmarks: a real `qrforge serve` (compiled) on the embedded defaults in
// a fresh data folder, signed in as its first admin.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const EMAIL = 'bench@example.com';
const PASSWORD = 'correct horse battery staple 2026';

export const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

export async function waitUp(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

/** Starts the server with extra settings; resolves once it answers and the admin is signed in. */
export async function startQrforge(env = {}) {
  const port = await freePort();
  // On PostgreSQL the schema is a separate step (`qrforge migrate`), as in a deployment.
  if (env.DATABASE_URL) {
    const migrated = spawnSync(
      process.execPath,
      [join(here, '../packages/server/dist/main.js'), 'migrate'],
      { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: 'inherit' },
    );
    if (migrated.status !== 0) throw new Error('qrforge migrate failed');
  }
  const child = spawn(process.execPath, [join(here, '../packages/server/dist/main.js'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-bench-')),
      QRFORGE_ADMIN_EMAIL: EMAIL,
      QRFORGE_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUp(`${base}/health`);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const tokens = await login.json();
  return { child, base, tokens, auth: { authorization: `Bearer ${tokens.accessToken}` } };
}
