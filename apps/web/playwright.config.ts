/**
 * End-to-end tests of the web page in Debian's Chromium (never a downloaded browser), against a
 * real `qrforge serve` on the embedded defaults in a fresh data folder. Screenshots of each page
 * go to test-results/screens (CI artefacts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.QRFORGE_E2E_PORT ?? 8199);
/** A second server on its first start (no admin configured). */
export const FRESH_PORT = PORT - 1;
export const ADMIN = { email: 'e2e@example.com', password: 'correct horse battery staple e2e' };
/**
 * The main server's feature-flag file (watched, re-read within a second): a journey switches a
 * flag for the e2e tenant by writing it. A fixed path, as workers load this file again.
 */
export const FLAGS_FILE = join(tmpdir(), `qrforge-e2e-flags-${PORT}.json`);
writeFileSync(FLAGS_FILE, '{}');

/**
 * A third server as a LAN install runs: on every interface, with HTTPS from `qrforge tls init`
 * (made here once, for the names the journeys use: network.spec.ts). A fixed folder, as workers
 * load this file again and read the CA from it.
 */
export const LAN = {
  port: PORT - 2,
  tlsPort: PORT - 3,
  name: 'qrforge.test',
  /** Where `tls init` put its files (ca.pem, server.pem, …). */
  tls: join(tmpdir(), `qrforge-e2e-tls-${PORT}`, 'tls'),
};
if (!existsSync(join(LAN.tls, 'server.pem')))
  execFileSync(
    process.execPath,
    [
      fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url)),
      'tls',
      'init',
      '--hosts',
      LAN.name,
    ],
    { env: { ...process.env, QRFORGE_DATA_DIR: dirname(LAN.tls) }, stdio: 'ignore' },
  );

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/output',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node ../../packages/server/dist/main.js serve',
      url: `http://127.0.0.1:${PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        PORT: String(PORT),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-e2e-')),
        QRFORGE_ADMIN_EMAIL: ADMIN.email,
        QRFORGE_ADMIN_PASSWORD: ADMIN.password,
        // The webhook journey's receiver listens on loopback.
        QRFORGE_WEBHOOK_ALLOW_PRIVATE: 'true',
        QRFORGE_WEBHOOK_RETRY_MS: '200',
        QRFORGE_FLAGS_FILE: FLAGS_FILE,
        LOG_LEVEL: 'warn',
      },
    },
    {
      command: 'node ../../packages/server/dist/main.js serve',
      url: `http://127.0.0.1:${LAN.port}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        PORT: String(LAN.port),
        QRFORGE_TLS_PORT: String(LAN.tlsPort),
        QRFORGE_TLS_CERT: join(LAN.tls, 'server.pem'),
        QRFORGE_TLS_KEY: join(LAN.tls, 'server-key.pem'),
        HOST: '0.0.0.0',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-e2e-lan-')),
        QRFORGE_ADMIN_EMAIL: ADMIN.email,
        QRFORGE_ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'warn',
      },
    },
    {
      // A first start as `npm start` gives it: no admin configured, nobody can sign in yet.
      command: 'node ../../packages/server/dist/main.js serve',
      url: `http://127.0.0.1:${FRESH_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        PORT: String(FRESH_PORT),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-e2e-fresh-')),
        LOG_LEVEL: 'warn',
      },
    },
  ],
});
