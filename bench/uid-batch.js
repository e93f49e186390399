// 100,000 component UIDs rendered to PNG on every core with worker_threads: the shape of a
// manufacturing batch. Each worker encodes and renders its share and reports bytes produced.
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const UID = (serial) => `PAD-V0100-L2025-09-${String(serial).padStart(5, '0')}`;

export async function runBatch({ count = 100_000, workers = availableParallelism() } = {}) {
  const per = Math.ceil(count / workers);
  // Start the workers first and wait until each has loaded the engine, so only the work is timed.
  const pool = Array.from({ length: workers }, (_, i) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { from: i * per + 1, to: Math.min(count, (i + 1) * per) },
    });
    const ready = new Promise((resolve) => worker.once('message', resolve));
    return { worker, ready };
  });
  await Promise.all(pool.map((p) => p.ready));
  const start = performance.now();
  const done = pool.map(
    ({ worker }) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage('go');
      }),
  );
  const reports = await Promise.all(done);
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(pool.map((p) => p.worker.terminate()));
  const bytes = reports.reduce((sum, r) => sum + r.bytes, 0);
  const codes = reports.reduce((sum, r) => sum + r.codes, 0);
  return { count: codes, workers, seconds, bytes, codesPerSecond: codes / seconds };
}

if (!isMainThread) {
  const { encodeText } = await import('../packages/qr/dist/index.js');
  const { renderPng } = await import('../packages/qr/dist/render/png.js');
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    let bytes = 0;
    let codes = 0;
    for (let serial = workerData.from; serial <= workerData.to; serial++) {
      bytes += renderPng(encodeText(UID(serial), { ecc: 'M' }), { scale: 8, margin: 4 }).length;
      codes++;
    }
    parentPort.postMessage({ bytes, codes });
  });
}
