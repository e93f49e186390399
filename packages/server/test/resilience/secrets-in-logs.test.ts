/**
 * The logs of a real `qrforge serve` at debug level never hold a password, a token, an API key or
 * a signed URL's signature, after a session that used every one of them (and failed with some).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { figure } from './figure.js';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

describe('logs', () => {
  it('carry no password, token, API key or signature', async () => {
    const port = await freePort();
    const password = 'Canary-Owner-Passphrase-4711';
    const wrongPassword = 'Canary-Wrong-Passphrase-0815';
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-logs-')),
        LOG_LEVEL: 'debug',
        QRFORGE_ADMIN_EMAIL: 'admin@example.com',
        QRFORGE_ADMIN_PASSWORD: password,
        QRFORGE_REQUIRE_SERVICES: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, init);
      return { status: res.status, body: await res.text() };
    };
    const json = (body: unknown, headers: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const secrets: Record<string, string> = { password, wrongPassword };
    try {
      for (const end = Date.now() + 45_000; ;) {
        const ok = await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > end) throw new Error(`serve did not start:\n${logs}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(
        (
          await call(
            '/api/v1/auth/login',
            json({ email: 'admin@example.com', password: wrongPassword }),
          )
        ).status,
      ).toBe(401);
      const login = JSON.parse(
        (await call('/api/v1/auth/login', json({ email: 'admin@example.com', password }))).body,
      ) as { accessToken: string; refreshToken: string };
      secrets.accessToken = login.accessToken;
      secrets.refreshToken = login.refreshToken;
      const auth = { authorization: `Bearer ${login.accessToken}` };
      const refreshed = JSON.parse(
        (await call('/api/v1/auth/refresh', json({ refreshToken: login.refreshToken }))).body,
      ) as { accessToken: string; refreshToken: string };
      secrets.rotatedAccessToken = refreshed.accessToken;
      secrets.rotatedRefreshToken = refreshed.refreshToken;
      const key = JSON.parse(
        (await call('/api/v1/api-keys', json({ name: 'logs', role: 'operator' }, auth))).body,
      ) as { key: string };
      secrets.apiKey = key.key;
      expect(
        (await call('/api/v1/codes?limit=1', { headers: { 'x-api-key': key.key } })).status,
      ).toBe(200);
      // A revoked or wrong key is logged no more than a good one.
      expect(
        (await call('/api/v1/codes', { headers: { 'x-api-key': `${key.key}x` } })).status,
      ).toBe(401);
      expect(
        (await call('/api/v1/codes', { headers: { authorization: 'Bearer forged.token.here' } }))
          .status,
      ).toBe(401);
      const signed = JSON.parse(
        (await call('/api/v1/codes/render-url', json({ data: 'logs' }, auth))).body,
      ) as { url: string };
      secrets.renderSignature = new URL(signed.url, base).searchParams.get('sig')!;
      expect((await call(signed.url)).status).toBe(200);
      const stored = JSON.parse(
        (await call('/api/v1/codes', json({ data: 'stored for logs', store: true }, auth))).body,
      ) as { id: string };
      const link = JSON.parse(
        (await call(`/api/v1/codes/${stored.id}/download-url`, { headers: auth })).body,
      ) as { url?: string };
      if (link.url) {
        secrets.downloadSignature = new URL(link.url, base).searchParams.get('sig') ?? '';
        expect((await call(link.url)).status).toBe(200);
      }
      for (const [name, value] of Object.entries(secrets))
        expect([name, value.length > 8]).toEqual([name, true]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = logs.split('\n').filter(Boolean).length;
    expect(lines).toBeGreaterThan(20);
    const found = Object.entries(secrets)
      .filter(([, value]) => logs.includes(value))
      .map(([name]) => name);
    expect(found).toEqual([]);
    figure(
      'Secrets in logs',
      `${lines} log lines at debug level after sign-in (good and bad), refresh, API key use (good and bad), signed render and download URLs: 0 of ${Object.keys(secrets).length} secrets found`,
    );
  });
});
