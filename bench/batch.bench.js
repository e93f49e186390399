// End-to-end batch benchmark: a real `qrforge serve` on the embedded defaults (PGlite, local
// storage, in-process queue), a CSV uploaded over HTTP, timed until the ZIP is stored; peak RSS
// of the server process during the batch from /proc (VmHWM, reset before it). Peer in the same
// run: node-qrcode PNGs zipped with fflate in one thread, the usual way to do this in Node.
// With --storage s3-azure the server keeps its files on S3 (s3rver) with an Azure backup
// (Azurite), both started here on loopback from the repository's own packages.
// Usage: npm run bench:batch [-- --rows 100000 --peer-rows 5000 --storage local|s3-azure]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Zip, ZipPassThrough } from 'fflate';
import QRCode from 'qrcode';
import { freePort, startQrforge } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000,100000' },
    'peer-rows': { type: 'string', default: '5000' },
    storage: { type: 'string', default: 'local' },
  },
});
if (!['local', 's3-azure'].includes(args.storage))
  throw new Error(`--storage ${args.storage}: expected local or s3-azure`);
const storage = args.storage === 's3-azure' ? await objectServers() : { env: {}, close() {} };
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
    ...storage.env,
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
    // The peak from here on, not the start-up's (the embedded database's first start peaks
    // higher than any batch): Linux resets the high-water mark to the current RSS on "5".
    writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
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
    if (args.storage === 's3-azure') await storage.backedUp(server, batch);
    const backedUpSeconds = (performance.now() - started) / 1000;
    if (batch.status !== 'completed' || batch.ok !== rows)
      throw new Error(`batch ended ${batch.status}: ${batch.error}`);
    return {
      rows,
      seconds,
      perSecond: rows / seconds,
      zipBytes: batch.files.zip.size,
      ...(args.storage === 'local' ? {} : { backedUpSeconds }),
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
  `batch benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}, storage ${args.storage}\n`,
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
      `(${(r.perSecond / peerResult.perSecond).toFixed(1)}x the peer), ZIP ${mib(r.zipBytes)}, server peak RSS during the batch ${mib(r.peakRss)} (+${mib(r.peakRss - r.idleRss)} over the ${mib(r.idleRss)} before it)` +
      (r.backedUpSeconds ? `; on the Azure backup after ${r.backedUpSeconds.toFixed(1)} s` : ''),
  );
}
await storage.close();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(
    here,
    args.storage === 'local' ? 'results/batch.json' : `results/batch-${args.storage}.json`,
  ),
  JSON.stringify(
    { date: new Date().toISOString(), storage: args.storage, peer: peerResult, results },
    null,
    2,
  ),
);

/** s3rver (S3 primary) and Azurite (Azure backup) on loopback, and the settings to use them. */
async function objectServers() {
  const root = join(here, '../node_modules');
  const { default: S3rver } = await import(join(root, 's3rver/lib/s3rver.js'));
  const { BlobServiceClient } = await import(join(root, '@azure/storage-blob/dist/esm/index.js'));
  const dir = mkdtempSync(join(tmpdir(), 'qrforge-bench-objects-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: await freePort(),
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: 'qrforge' }],
  });
  const { port: s3Port } = await s3.run();
  const azurePort = await freePort();
  mkdirSync(join(dir, 'azure'));
  const azurite = spawn(
    process.execPath,
    [
      join(root, 'azurite/dist/src/blob/main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(azurePort),
      '--location',
      join(dir, 'azure'),
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
    ],
    { stdio: 'ignore' },
  );
  const connection = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${azurePort}/devstoreaccount1;`;
  const container =
    BlobServiceClient.fromConnectionString(connection).getContainerClient('qrforge');
  for (let i = 0; ; i++) {
    try {
      await container.createIfNotExists();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    env: {
      STORAGE_PRIMARY: `s3://qrforge/bench?endpoint=http://127.0.0.1:${s3Port}&path_style=true&checksum=when_required`,
      STORAGE_BACKUP: 'azure://qrforge/bench',
      AZURE_STORAGE_CONNECTION_STRING: connection,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    /** Waits until the batch's ZIP is on the backup too, with the same size. */
    async backedUp(server, batch) {
      const key = `bench/${new URL(batch.files.zip.url, server.base).pathname}`;
      for (let i = 0; i < 600; i++) {
        for await (const blob of container.listBlobsFlat({ prefix: 'bench/' }))
          if (blob.name.endsWith('.zip') && blob.properties.contentLength === batch.files.zip.size)
            return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the ZIP never reached the Azure backup (${key})`);
    },
    async close() {
      azurite.kill('SIGTERM');
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
