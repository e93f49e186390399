/**
 * `qrforge serve` as a real process on the embedded defaults: it migrates, serves /health, /ready,
 * /metrics and /docs, and on SIGTERM stops accepting, finishes, releases the database and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

/**
 * The first answer other than a refused connection or a 503: right after start, on a loaded
 * machine, under-pressure may answer 503 while the event loop catches up from the migrations.
 */
async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status !== 503 || Date.now() > end) return response;
    } catch (error) {
      if (Date.now() > end) throw error;
    }
    await new Promise((r) => setTimeout(r, 200));
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

  it('finishes in-flight requests after SIGTERM and exits 0 within the grace period', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-serve-'));
    const password = 'graceful shutdown passphrase';
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        QRFORGE_ADMIN_EMAIL: 'admin@example.com',
        QRFORGE_ADMIN_PASSWORD: password,
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(`${base}/health`, 45_000);
      // Each sign-in spends ~0.25 s of CPU on scrypt (32 MiB, p=3): 12 keep both cores busy for
      // seconds after SIGTERM.
      const inFlight = Array.from({ length: 12 }, () =>
        fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'admin@example.com', password }),
        }).then(
          (r) => r.status,
          (e: { cause?: { code?: string } }) => e.cause?.code ?? 'error',
        ),
      );
      // SIGTERM once the app is serving all twelve (its in-progress gauge says so): a connection
      // still in the kernel's accept queue when the listener closes would be reset before it
      // reaches the app, which deployments cover with a preStop delay, not the app.
      const inProgress =
        /^http_requests_inprogress\{method="POST",handler="\/api\/v1\/auth\/login"\} (\d+)$/m;
      for (const end = Date.now() + 20_000; ;) {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        if (Number(inProgress.exec(metrics)?.[1] ?? 0) === 12) break;
        if (Date.now() > end) throw new Error('the twelve sign-ins never ran at once');
        await new Promise((r) => setTimeout(r, 10));
      }
      const signalled = Date.now();
      child.kill('SIGTERM');
      const statuses = await Promise.all(inFlight);
      const code = await exited;
      const seconds = (Date.now() - signalled) / 1000;
      console.info(
        `graceful shutdown: ${statuses.filter((s) => s === 200).length}/${statuses.length} in-flight requests succeeded, exit ${code} after ${seconds.toFixed(1)} s`,
      );
      // Every request the app had accepted is answered 200: no 503, no reset.
      expect(statuses).toEqual(Array(12).fill(200));
      expect(code).toBe(0);
      expect(seconds).toBeLessThan(25);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exports HTTP server spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    // A stand-in OTLP/HTTP receiver on loopback that keeps what it is sent.
    const received: string[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const otlpPort = (receiver.address() as { port: number }).port;
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-serve-')),
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(`${base}/health`, 45_000);
      expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
      child.kill('SIGTERM'); // shutdown flushes the buffered spans
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      receiver.close();
    }
    const spans = received.flatMap((body) => {
      const doc = JSON.parse(body) as {
        resourceSpans: {
          scopeSpans: {
            spans: {
              name: string;
              kind: number;
              attributes: { key: string; value: { stringValue?: string } }[];
            }[];
          }[];
        }[];
      };
      return doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    });
    const server = spans.filter((s) => s.kind === 2); // SPAN_KIND_SERVER
    const paths = server.flatMap((s) =>
      s.attributes
        .filter((a) => a.key === 'url.path' || a.key === 'http.target')
        .map((a) => a.value.stringValue),
    );
    expect(paths).toContain('/openapi.json');
    expect(paths).not.toContain('/health'); // probes are not traced
  });
});
