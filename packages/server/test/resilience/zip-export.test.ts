/**
 * A 10,000-code ZIP export from a real `qrforge serve` process, the compiled one a deployment runs
 * (`dist/main.js`, built here if needed): the ZIP is streamed (made while the codes are drawn,
 * downloaded as a stream), so the process's peak resident memory (the kernel's VmHWM, reset once
 * the server is up) stays under 256 MB on PostgreSQL; hostile names never become paths; the
 * download is named as RFC 6266 says. On the embedded engine the database itself (PostgreSQL
 * compiled to WebAssembly, about 150 MB) lives in the process, so there the figure is the
 * export's own share; the server is started twice, as a deployment restarts, because the first
 * start's initdb leaves ~100 MB resident. The server runs with the container image's
 * environment for memory (MALLOC_ARENA_MAX, read from the Dockerfile), as a deployment does. The
 * size cap is the batch's row limit (QRFORGE_BATCH_MAX_ROWS, tested in csv.test.ts).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { MAIN_COMPILED, signInOverHttp, startServe } from '../helpers/serve-process.js';
import { createTestDatabase, postgresAvailable } from '../helpers/services.js';
import { figure } from './figure.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const PEAK_LIMIT_MB = 256;
/** The export's own share on PGlite, where the database shares the process. */
const EXPORT_LIMIT_MB = 128;
const CODES = 10_000;
const HOSTILE = [
  '../../etc/passwd',
  '/etc/shadow',
  'C:\\Windows\\system32\\evil',
  '..\\..\\boot.ini',
  '\u202Egnp.exe', // right-to-left override: "exe.png" on screen
  'bell\u0007and\u001bescape', // control characters (NUL is refused at the door: hostile-input)
  '....//....//x',
  '~/.ssh/authorized_keys',
];

/** The image's malloc setting (docs/operations.md, "Memory"), so the test runs what ships. */
const MALLOC_ARENA_MAX = /MALLOC_ARENA_MAX=(\d+)/.exec(
  readFileSync(`${ROOT}deploy/docker/Dockerfile`, 'utf8'),
)![1];

const kb = (field: string, pid: number) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

const ENGINES = [
  {
    engine: 'pglite',
    available: true,
    prepare: async () => ({ url: undefined, drop: async () => undefined }),
  },
  { engine: 'postgres', available: postgresAvailable, prepare: createTestDatabase },
];

beforeAll(() => {
  // The compiled server (`npm test` has built it by now: tsc -b is up to date in a second).
  const built = spawnSync('npx', ['tsc', '-b', 'packages/server/tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  expect(built.status).toBe(0);
}, 180_000);

describe.each(ENGINES)('ZIP export of 10,000 codes ($engine)', ({ engine, available, prepare }) => {
  it.skipIf(!available)(
    'streams under 256 MB of peak RSS, safe entry names, an RFC 6266 file name',
    async () => {
      const port = await freePort();
      const { url, drop } = await prepare();
      if (url) {
        const migrated = spawnSync(process.execPath, [MAIN_COMPILED, 'migrate'], {
          env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
          stdio: 'inherit',
        });
        expect(migrated.status).toBe(0);
      }
      const password = 'zip export passphrase 2026';
      const env = {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-zip-')),
        LOG_LEVEL: 'warn',
        QRFORGE_ADMIN_EMAIL: 'admin@example.com',
        QRFORGE_ADMIN_PASSWORD: password,
        QRFORGE_REQUIRE_SERVICES: undefined,
        DATABASE_URL: url,
        REDIS_URL: undefined,
        MALLOC_ARENA_MAX,
      };
      const base = `http://127.0.0.1:${port}`;
      let child: ChildProcess | undefined;
      try {
        if (!url) {
          // The embedded database's first start (initdb, migrations), then a restart.
          const first = await startServe({ env, port, compiled: true, timeoutMs: 60_000 });
          first.child.kill('SIGTERM');
          await first.exited;
        }
        ({ child } = await startServe({ env, port, compiled: true, timeoutMs: 60_000 }));
        const auth = await signInOverHttp(base, 'admin@example.com', password);
        // The peak from here on: Linux resets the high-water mark to the current RSS on "5".
        const baseline = kb('VmRSS', child.pid!);
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');

        const rows = Array.from({ length: CODES }, (_, i) => ({
          data: `https://example.com/parts/${i}`,
          name: i < HOSTILE.length ? HOSTILE[i] : `part-${i}`,
        }));
        const created = await fetch(`${base}/api/v1/batches`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ rows, formats: ['png'] }),
        });
        expect(created.status, await created.clone().text()).toBe(202);
        const { id } = (await created.json()) as { id: string };
        type Batch = { status: string; ok: number; files: { zip: { url: string } } };
        let batch: Batch;
        for (const end = Date.now() + 300_000; ;) {
          batch = (await (
            await fetch(`${base}/api/v1/batches/${id}`, { headers: auth })
          ).json()) as Batch;
          if (batch.status === 'completed' || batch.status === 'failed') break;
          if (Date.now() > end) throw new Error(`batch still ${batch.status}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        expect(batch.status).toBe('completed');
        expect(batch.ok).toBe(CODES);

        const download = await fetch(new URL(batch.files.zip.url, base), { headers: auth });
        expect(download.status).toBe(200);
        // RFC 6266: attachment with a quoted ASCII token name, nothing a browser could misread.
        const disposition = download.headers.get('content-disposition') ?? '';
        expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.zip"$/);
        const zip = Buffer.from(await download.arrayBuffer());
        const peak = kb('VmHWM', child.pid!);

        const names = Object.keys(unzipSync(zip));
        expect(names).toHaveLength(CODES);
        expect(new Set(names).size).toBe(CODES);
        // Only a plain file name: no separator, no control or bidi character, no leading dot, no "..".
        const unsafe = names.filter(
          (n) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n) || n.includes('..'),
        );
        expect(unsafe).toEqual([]);
        for (const name of names.slice(0, HOSTILE.length))
          expect(name).toMatch(/^[A-Za-z0-9._-]+\.png$/);
        if (url) expect(peak).toBeLessThan(PEAK_LIMIT_MB * 1024);
        else expect(peak - baseline).toBeLessThan(EXPORT_LIMIT_MB * 1024);
        figure(
          'ZIP export',
          `${engine}: 10,000 PNG codes in one batch on a compiled qrforge serve: peak RSS ${(peak / 1024).toFixed(0)} MB during the export (${url ? `limit ${PEAK_LIMIT_MB} MB` : `the database in-process; limit ${EXPORT_LIMIT_MB} MB for the export's share`}), ${((peak - baseline) / 1024).toFixed(0)} MB above the process at rest (VmHWM), ZIP ${(zip.length / 1048576).toFixed(1)} MB streamed; ${HOSTILE.length} hostile names (../, /abs, C:\\, RLO, control characters) -> 0 unsafe of 10,000 entries; Content-Disposition: ${disposition}`,
        );
      } finally {
        child?.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
        await drop();
      }
    },
  );
});
