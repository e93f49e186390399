/**
 * `qrforge serve` as a real process on the embedded defaults: it migrates, serves /health, /ready,
 * /metrics and /docs, and on SIGTERM stops accepting, finishes, releases the database and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('qrforge serve', () => {
  it('serves on the embedded defaults and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-serve-'));
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await waitFor(`${base}/health`, 45_000)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('http_requests_total');
      expect((await fetch(`${base}/docs`)).status).toBe(200);
      expect(existsSync(join(dataDir, 'pg.lock'))).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dataDir, 'pg.lock'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).not.toMatch(/error/i);
  });
});
