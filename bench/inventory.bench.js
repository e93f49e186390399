// Inventory benchmark: bulk-create items with their IDs and codes over HTTP (a real
// `qrforge serve`; a 100,000-item request runs as a job, timed until it completes), on PGlite and
// on the local PostgreSQL; then the item list's latency with 1,000,000 items on PostgreSQL
// (autocannon, P50/P95/P99 per filter). Peer in the same run: the same items inserted one row per
// INSERT in one transaction (what an ORM's per-entity save does), on the same PostgreSQL.
// Usage: npm run bench:inventory [-- --items 100000 --list-items 1000000 --peer-items 10000]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startQrforge } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    'list-items': { type: 'string', default: '1000000' },
    'peer-items': { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '8' },
  },
});
const ITEMS = Number(args.items);
const LIST_ITEMS = Number(args['list-items']);
const PEER_ITEMS = Number(args['peer-items']);
const ADMIN_URL = process.env.QRFORGE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

// The app connects as an ordinary role that owns the database, as in production: PostgreSQL
// applies the row-level security policies to it (a superuser would skip them, and their cost).
const ROLE = 'qrforge_bench';

async function freshDatabase() {
  const name = `qrforge_bench_${Date.now()}`;
  const admin = new pg.Client(ADMIN_URL);
  await admin.connect();
  await admin.query(`do $$ begin
      create role ${ROLE} login nosuperuser nobypassrls;
    exception when duplicate_object then null;
    end $$`);
  await admin.query(`create database ${name} owner ${ROLE}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  url.username = ROLE;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client(ADMIN_URL);
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function waitForJob(server, jobId) {
  for (;;) {
    const job = await (
      await fetch(`${server.base}/api/v1/jobs/${jobId}`, { headers: server.auth })
    ).json();
    if (job.status === 'completed') return;
    if (['failed', 'cancelled'].includes(job.status))
      throw new Error(`job ${job.status}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Serials of 7 digits: the default {serial:5} stops at 99,999 items per lot. */
async function sevenDigitSerials(server) {
  const res = await fetch(`${server.base}/api/v1/inventory/id-schema`, {
    method: 'PUT',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      template: '{type}-{vendor}-{lot}-{serial:7}',
      alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    }),
  });
  if (!res.ok) throw new Error(`id-schema refused: ${res.status} ${await res.text()}`);
}

/** One generation request of `count` items, timed until they are all in the database. */
async function generate(server, count, lot, type = 'PAD', vendor = 'V0100') {
  const started = performance.now();
  const res = await fetch(`${server.base}/api/v1/inventory/generate`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      componentType: type,
      vendorCode: vendor,
      lotNumber: lot,
      manufacturingDate: '2026-01-15',
      count,
      warrantyYears: 2 + (lot.length % 4),
    }),
  });
  const body = await res.json();
  if (res.status === 202) await waitForJob(server, body.jobId);
  else if (res.status !== 201) throw new Error(`generate refused: ${res.status} ${body.detail}`);
  return (performance.now() - started) / 1000;
}

async function bulkCreate(engine, env) {
  const server = await startQrforge({
    ...env,
    QRFORGE_INVENTORY_MAX_COUNT: String(Math.max(ITEMS, LIST_ITEMS)),
  });
  try {
    await sevenDigitSerials(server);
    await generate(server, 1000, 'WARMUP');
    const seconds = await generate(server, ITEMS, 'L2026-01');
    return { engine, items: ITEMS, seconds, perSecond: ITEMS / seconds };
  } finally {
    server.child.kill('SIGTERM');
  }
}

/** The peer: the same rows, one INSERT each, in one transaction. */
async function peer(url) {
  const client = new pg.Client(url);
  await client.connect();
  await client.query(`create temporary table peer_items (like items including defaults)`);
  const { rows } = await client.query(`select id from tenants limit 1`);
  const tenant = rows[0].id;
  const lot = (await client.query(`select id from lots where tenant_id = $1 limit 1`, [tenant]))
    .rows[0].id;
  const started = performance.now();
  await client.query('begin');
  for (let serial = 1; serial <= PEER_ITEMS; serial++) {
    const uid = `PAD-V0100-PEER-${String(serial).padStart(6, '0')}`;
    await client.query(
      `insert into peer_items (tenant_id, uid, lot_id, type_code, vendor_code, lot_number, serial,
         manufacturing_date, warranty_years, warranty_expires, code_content)
       values ($1, $2, $3, 'PAD', 'V0100', 'PEER', $4, '2026-01-15', 2, '2028-01-15', $2)`,
      [tenant, uid, lot, serial],
    );
  }
  await client.query('commit');
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return { items: PEER_ITEMS, seconds, perSecond: PEER_ITEMS / seconds };
}

/** autocannon for a while; P50/P95/P99 from every response's own time (autocannon's summary has no P95). */
function measure(url, headers) {
  return new Promise((resolve, reject) => {
    const times = [];
    const instance = autocannon(
      { url, headers, connections: 10, duration: Number(args.seconds) },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx || result.errors)
          return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        times.sort((a, b) => a - b);
        const at = (p) =>
          Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] * 10) / 10;
        resolve({
          requestsPerSecond: result.requests.average,
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
        });
      },
    );
    instance.on('response', (client, status, bytes, responseTime) => times.push(responseTime));
  });
}

async function listLatency(url) {
  const server = await startQrforge({
    DATABASE_URL: url,
    QRFORGE_INVENTORY_MAX_COUNT: String(LIST_ITEMS),
    QRFORGE_RATE_LIMIT_MAX: '1000000',
  });
  try {
    await sevenDigitSerials(server);
    // 1,000,000 items in 10 lots over 4 types and 2 vendors; then a realistic spread of statuses.
    const per = LIST_ITEMS / 10;
    for (let lot = 0; lot < 10; lot++)
      await generate(
        server,
        per,
        `L2026-${String(lot + 1).padStart(2, '0')}`,
        ['PAD', 'BRK', 'RTR', 'CAL'][lot % 4],
        lot % 2 ? 'V0200' : 'V0100',
      );
    const client = new pg.Client(url);
    await client.connect();
    await client.query(
      `update items set status = (array['available','available','available','shipped','verified','engraved','reserved','scrapped','quarantined','generated'])[1 + serial % 10]`,
    );
    await client.query('analyze items');
    await client.end();
    const queries = {
      'status=available&limit=50': 'status=available&limit=50',
      'type + status': 'type=BRK&status=shipped&limit=50',
      'lot, sorted by UID': 'lot=L2026-07&sort=uid&limit=50',
      'UID contains': 'q=L2026-03-000012&limit=50',
      'warranty before': 'warrantyBefore=2029-01-01&limit=50',
      'page 2 (cursor)': null,
    };
    const first = await (
      await fetch(`${server.base}/api/v1/inventory/items?status=available&limit=50`, {
        headers: server.auth,
      })
    ).json();
    queries['page 2 (cursor)'] = `status=available&limit=50&cursor=${first.nextCursor}`;
    const results = [];
    for (const [name, query] of Object.entries(queries)) {
      const r = await measure(`${server.base}/api/v1/inventory/items?${query}`, server.auth);
      results.push({ name, ...r });
      const last = results.at(-1);
      console.log(
        `  ${name.padEnd(28)} ${last.requestsPerSecond.toFixed(0).padStart(6)} req/s  P50 ${last.p50} ms  P95 ${last.p95} ms  P99 ${last.p99} ms`,
      );
    }
    return results;
  } finally {
    server.child.kill('SIGTERM');
  }
}

console.log(
  `inventory benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}\n`,
);
const created = [];
created.push(await bulkCreate('PGlite', {}));
console.log(
  `QR Forge  ${ITEMS} items with IDs and codes, PGlite:     ${created[0].seconds.toFixed(1)} s = ${created[0].perSecond.toFixed(0)} items/s`,
);
const db = await freshDatabase();
let peerResult;
let list = [];
try {
  created.push(await bulkCreate('PostgreSQL', { DATABASE_URL: db.url }));
  console.log(
    `QR Forge  ${ITEMS} items with IDs and codes, PostgreSQL: ${created[1].seconds.toFixed(1)} s = ${created[1].perSecond.toFixed(0)} items/s`,
  );
  peerResult = await peer(db.url);
  console.log(
    `peer      one INSERT per item (an ORM's save), PostgreSQL: ${PEER_ITEMS} in ${peerResult.seconds.toFixed(1)} s = ${peerResult.perSecond.toFixed(0)} items/s ` +
      `(QR Forge ${(created[1].perSecond / peerResult.perSecond).toFixed(1)}x)`,
  );
} finally {
  await db.drop();
}
if (LIST_ITEMS > 0) {
  const big = await freshDatabase();
  try {
    console.log(
      `\nitem list with ${LIST_ITEMS} items on PostgreSQL (autocannon, 10 connections, ${args.seconds} s each):`,
    );
    list = await listLatency(big.url);
  } finally {
    await big.drop();
  }
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results/inventory.json'),
  JSON.stringify({ date: new Date().toISOString(), created, peer: peerResult, list }, null, 2),
);
