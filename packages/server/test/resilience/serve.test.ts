/**
 * `qrforge serve` as a real process on the embedded defaults: it migrates, serves /health, /ready,
 * /metrics and /docs, and on SIGTERM stops accepting, finishes, releases the database and exits 0.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { signInOverHttp, startServe } from '../helpers/serve-process.js';
import { figure } from './figure.js';

describe('qrforge serve', () => {
  it('serves on the embedded defaults and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-serve-'));
    const { child, base, exited } = await startServe({
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      port,
      stderr: 'pipe',
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
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

  it('answers all 100 in-flight requests after SIGTERM, readiness first 503, and loses no job', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-serve-'));
    const password = 'graceful shutdown passphrase';
    const start = () =>
      startServe({
        port,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          QRFORGE_DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          QRFORGE_ADMIN_EMAIL: 'admin@example.com',
          QRFORGE_ADMIN_PASSWORD: password,
          QRFORGE_SHUTDOWN_DRAIN_MS: '1000',
          QRFORGE_REQUIRE_SERVICES: undefined,
        },
      });
    const first = await start();
    const { base } = first;
    let { child, exited } = first;
    try {
      const auth = await signInOverHttp(base, 'admin@example.com', password);
      // A job that runs through the signal: a batch of 1,500 codes.
      const batch = await fetch(`${base}/api/v1/batches`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          rows: Array.from({ length: 1500 }, (_, i) => ({ data: `shutdown-${i}` })),
        }),
      });
      expect(batch.status).toBe(202);
      const batchId = ((await batch.json()) as { id: string }).id;

      // 100 requests whose bodies are half sent: in flight, in the app, when SIGTERM comes.
      const agent = new Agent({ keepAlive: true, maxSockets: 200 });
      const inFlight = Array.from({ length: 100 }, (_, i) => {
        const body = Buffer.from(JSON.stringify({ data: `in-flight-${i}` }));
        let finish!: () => void;
        const status = new Promise<number | string>((resolve) => {
          const req = httpRequest(`${base}/api/v1/codes`, {
            method: 'POST',
            agent,
            // Signed in: anonymous generation has its own, lower per-IP limit.
            headers: { ...auth, 'content-type': 'application/json', 'content-length': body.length },
          });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          });
          req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          req.write(body.subarray(0, 10));
          finish = () => req.end(body.subarray(10));
        });
        return { status, finish: () => finish() };
      });
      // A kept-alive connection to ask /ready on after the listener has closed.
      const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      const ready = () =>
        new Promise<number>((resolve, reject) =>
          httpRequest(`${base}/ready`, { agent: probeAgent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          })
            .on('error', reject)
            .end(),
        );
      expect(await ready()).toBe(200);
      const inProgress =
        /^http_requests_inprogress\{method="POST",handler="\/api\/v1\/codes"\} (\d+)$/m;
      for (const end = Date.now() + 20_000; ;) {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        if (Number(inProgress.exec(metrics)?.[1] ?? 0) === 100) break;
        if (Date.now() > end) throw new Error('the 100 requests never were in flight at once');
        await new Promise((r) => setTimeout(r, 20));
      }
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const readyAfter = await ready();
      for (const request of inFlight) request.finish();
      const statuses = await Promise.all(inFlight.map((r) => r.status));
      const code = await exited;
      const seconds = (Date.now() - signalled) / 1000;
      agent.destroy();
      probeAgent.destroy();
      // Every request the app had accepted is answered: no 503, no reset.
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(readyAfter).toBe(503);
      expect(code).toBe(0);
      expect(seconds).toBeLessThan(25);

      // The batch finished before the exit, or went back to the queue and finishes now.
      ({ child, exited } = await start());
      let job: { status: string; ok: number } = { status: '', ok: 0 };
      for (const end = Date.now() + 60_000; Date.now() < end;) {
        const res = await fetch(`${base}/api/v1/batches/${batchId}`, { headers: auth });
        job = (await res.json()) as typeof job;
        if (job.status === 'completed' || job.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(job).toMatchObject({ status: 'completed', ok: 1500 });
      figure(
        'Graceful shutdown',
        `SIGTERM with 100 requests in flight and a 1,500-code batch running: 100 of 100 answered 200, /ready 503 after the signal, exit ${code} in ${seconds.toFixed(1)} s; the batch completed with 1,500 of 1,500 codes`,
      );
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
    const { child, base, exited } = await startServe({
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-serve-')),
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      port,
    });
    try {
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
