/**
 * HTTPS built in: `qrforge tls init` makes a local CA and a certificate for the machine's names;
 * `qrforge serve` then answers HTTPS on QRFORGE_TLS_PORT beside HTTP, with a certificate a client
 * that trusts the CA verifies by name, and the CA for phones at /tls/ca.pem. Bad or missing PEM
 * files stop start-up naming the variable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tlsFiles } from '../src/platform/tls/files.js';
import { initLocalTls } from '../src/platform/tls/local-ca.js';
import { loadTlsCredentials } from '../src/platform/tls/server-tls.js';
import { freePort } from './helpers/ports.js';
import { MAIN_SOURCE, startServe, type ServeProcess } from './helpers/serve-process.js';

const run = promisify(execFile);

/** GET over HTTPS trusting only `ca`, checking the certificate against `servername`. */
function getTls(port: number, path: string, ca: string, servername: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, ca, servername, method: 'GET' },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('HTTPS built in', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-tls-'));
  let served: ServeProcess | undefined;
  afterAll(() => {
    served?.child.kill('SIGKILL');
  });

  it('tls init issues a certificate for the names given, keeping the CA on a second run', async () => {
    const first = await initLocalTls(dataDir, ['localhost', 'qrforge.test', '127.0.0.1', '::1']);
    expect(first.caCreated).toBe(true);
    const cert = new X509Certificate(readFileSync(first.files.cert));
    expect(cert.subjectAltName).toContain('DNS:qrforge.test');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    const ca = new X509Certificate(readFileSync(first.files.ca));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    // Under Apple's 398-day limit for server certificates.
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(398);
    const second = await initLocalTls(dataDir, ['localhost', 'qrforge.test', '127.0.0.1']);
    expect([second.caCreated, second.fingerprint]).toEqual([false, first.fingerprint]);
    expect(readFileSync(first.files.caKey).length).toBeGreaterThan(0);
  });

  it('serve answers HTTPS with it beside HTTP; phones can fetch the CA', async () => {
    const [port, tlsPort] = [await freePort(), await freePort()];
    served = await startServe({
      port,
      stderr: 'ignore',
      env: {
        ...process.env,
        LOG_LEVEL: 'silent',
        PORT: String(port),
        QRFORGE_TLS_PORT: String(tlsPort),
        QRFORGE_DATA_DIR: dataDir,
      },
    });
    const ca = readFileSync(tlsFiles(dataDir).ca, 'utf8');
    // Wait for the HTTPS listener, which opens right after HTTP.
    let health;
    for (let i = 0; i < 50 && !health; i++)
      health = await getTls(tlsPort, '/health', ca, 'qrforge.test').catch(
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      );
    expect(health?.status).toBe(200);
    // Our own TLS listener: CSP upgrades; no HSTS, which would break plain HTTP on the other port.
    expect(String(health?.headers['content-security-policy'])).toContain(
      'upgrade-insecure-requests',
    );
    expect(health?.headers['strict-transport-security']).toBeUndefined();
    // A name the certificate does not carry is refused by the client.
    await expect(getTls(tlsPort, '/health', ca, 'elsewhere.test')).rejects.toThrow(
      /altnames|Hostname/i,
    );
    const plain = await fetch(`${served.base}/tls/ca.pem`);
    expect(plain.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    expect(await plain.text()).toBe(ca);
  });

  it.each([
    [
      { QRFORGE_TLS_CERT: '/no/such/cert.pem', QRFORGE_TLS_KEY: '/no/such/key.pem' },
      'QRFORGE_TLS_CERT',
    ],
    [{ QRFORGE_TLS_CERT: 'NOTPEM', QRFORGE_TLS_KEY: 'KEY' }, 'QRFORGE_TLS_CERT'],
    [{ QRFORGE_TLS_CERT: 'CERT' }, 'QRFORGE_TLS_KEY'],
    [{ QRFORGE_TLS_CERT: 'CERT', QRFORGE_TLS_KEY: 'OTHERKEY' }, 'QRFORGE_TLS_KEY'],
  ])('a bad certificate setting stops start-up naming the variable (%o)', async (env, named) => {
    // Real files for the placeholders: a certificate, its key, another key, not-PEM text.
    const dir = mkdtempSync(join(tmpdir(), 'qrforge-badtls-'));
    const made = await initLocalTls(dir, ['localhost']);
    const other = await initLocalTls(mkdtempSync(join(tmpdir(), 'qrforge-other-')), ['localhost']);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const files: Record<string, string> = {
      CERT: made.files.cert,
      KEY: made.files.key,
      OTHERKEY: other.files.key,
      NOTPEM: notPem,
    };
    const settings = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, files[value] ?? value]),
    );
    expect(() => loadTlsCredentials({ dataDir: dir, ...mapKeys(settings) })).toThrow(named);
    const failed = await run(process.execPath, ['--import', 'tsx', MAIN_SOURCE, 'serve'], {
      env: { ...process.env, ...settings, QRFORGE_DATA_DIR: dir, PORT: '0' },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(named);
  });
});

function mapKeys(env: Record<string, string>) {
  return { tlsCert: env.QRFORGE_TLS_CERT ?? '', tlsKey: env.QRFORGE_TLS_KEY ?? '' };
}
