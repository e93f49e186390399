// End-to-end batch benchmark: a real `qrforge serve` on the embedded defaults (PGlite, local
// storage, in-process queue), a CSV uploaded over HTTP, timed until the ZIP is stored; peak RSS
// of the server process from /proc (VmHWM). Peer in the same run: node-qrcode PNGs zipped with
// fflate in one thread, the usual way to do this in Node.
// Usage: npm run bench:batch [-- --rows 100000 --peer-rows 5000]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Zip, ZipPassThrough } from 'fflate';
import QRCode from 'qrcode';
import { startQrforge } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000,100000' },
    'peer-rows': { type: 'string', default: '5000' },
  },
});
const ROWS = args.rows.split(',').map(Number);
const PEER_ROWS = Number(args['peer-rows']);

/** Component UIDs, as a factory would print them. */
const uid = (i) => `PAD-V0100-L2025-09-${String(i + 1).padStart(6, '0')}`;

const memory = (pid, field) =>
  Number(
    new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1],
  ) * 1024;
const peakRss = (pid) => memory(pid, 'VmHWM');

async function ours(rows) {
  const server = await startQrforge({
    QRFORGE_BATCH_MAX_ROWS: String(rows),
    QRFORGE_BATCH_MAX_BYTES: String(256 * 1024 * 1024),
  });
  try {
    const csv = 'uid\n' + Array.from({ length: rows }, (_, i) => uid(i)).join('\n') + '\n';
    const form = new FormData();
    form.set('options', JSON.stringify({ formats: ['png'], size: 232, names: '{data}' }));
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'uids.csv');
    await new Promise((r) => setTimeout(r, 1000)); // let start-up settle
    const rssBefore = memory(server.child.pid, 'VmRSS');
    const started = performance.now();
    const res = await fetch(`${server.base}/api/v1/batches`, {
      method: 'POST',
      headers: server.auth,
      body: form,
    });
    if (res.status !== 202) throw new Error(`batch refused: ${res.status} ${await res.text()}`);
    const { id } = await res.json();
    let batch;
    for (;;) {
      batch = await (
        await fetch(`${server.base}/api/v1/batches/${id}`, { headers: server.auth })
      ).json();
      if (['completed', 'failed', 'cancelled'].includes(batch.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    if (batch.status !== 'completed' || batch.ok !== rows)
      throw new Error(`batch ended ${batch.status}: ${batch.error}`);
    return {
      rows,
      seconds,
      perSecond: rows / seconds,
      zipBytes: batch.files.zip.size,
      peakRss: peakRss(server.child.pid),
      idleRss: rssBefore,
    };
  } finally {
    server.child.kill('SIGTERM');
  }
}

/** The peer: node-qrcode PNG (same 232 px width) into a fflate ZIP, one thread. */
async function peer(rows) {
  const started = performance.now();
  let bytes = 0;
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    bytes += chunk.length;
  });
  for (let i = 0; i < rows; i++) {
    const png = await QRCode.toBuffer(uid(i), { errorCorrectionLevel: 'M', width: 232 });
    const entry = new ZipPassThrough(`${uid(i)}.png`);
    zip.add(entry);
    entry.push(png, true);
  }
  zip.end();
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, perSecond: rows / seconds, zipBytes: bytes };
}

const mib = (n) => `${(n / 1048576).toFixed(0)} MiB`;
console.log(
  `batch benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}\n`,
);
const peerResult = await peer(PEER_ROWS);
console.log(
  `peer  node-qrcode + fflate, 1 thread: ${PEER_ROWS} rows in ${peerResult.seconds.toFixed(1)} s = ${peerResult.perSecond.toFixed(0)} codes/s`,
);
const results = [];
for (const rows of ROWS) {
  const r = await ours(rows);
  results.push(r);
  console.log(
    `QR Forge  CSV -> PNG ZIP over HTTP: ${rows} rows in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(0)} codes/s ` +
      `(${(r.perSecond / peerResult.perSecond).toFixed(1)}x the peer), ZIP ${mib(r.zipBytes)}, server peak RSS ${mib(r.peakRss)} (RSS ${mib(r.idleRss)} before the batch)`,
  );
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results/batch.json'),
  JSON.stringify({ date: new Date().toISOString(), peer: peerResult, results }, null, 2),
);
