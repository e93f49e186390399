// Decoding benchmark: a synthetic set of phone photos (bench/scan-corpus.js: 10 kinds of damage),
// decoded by zxing-wasm alone (the peer: the file as it is, ZXing's own retries) and by our
// pipeline (the server's decode worker: sharp, ZXing, then our prepared passes), both in a pool of
// worker threads, one per core. Prints images/s and the success rate per kind, what each of our
// passes adds, and writes bench/results/scan.json.
// Usage: npm run bench:scan [-- --per-kind 30 --sizes 640x480,1280x960]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import {
  closeDecodePool,
  decodePool,
} from '../packages/server/dist/modules/scanning/decode-pool.js';
import { corpus, KINDS } from './scan-corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    'per-kind': { type: 'string', default: '30' },
    sizes: { type: 'string', default: '640x480,1280x960' },
  },
});
const PER_KIND = Number(args['per-kind']);
const SIZES = args.sizes.split(',').map((s) => s.split('x').map(Number));
const MAX_PIXELS = 40_000_000;

const peer = new Piscina({
  filename: new URL('./scan-peer-worker.js', import.meta.url).href,
  minThreads: availableParallelism(),
  maxThreads: availableParallelism(),
});

async function timed(photos, decodeOne) {
  // Warm-up: each thread loads its wasm before the clock starts.
  await Promise.all(photos.slice(0, availableParallelism() * 2).map(decodeOne));
  const started = performance.now();
  const answers = await Promise.all(photos.map(decodeOne));
  const seconds = (performance.now() - started) / 1000;
  return { answers, perSecond: photos.length / seconds };
}

const results = [];
for (const [width, height] of SIZES) {
  const started = performance.now();
  const photos = await corpus(PER_KIND, width, height);
  const bytes = photos.reduce((sum, p) => sum + p.bytes.length, 0);
  console.log(
    `\n${photos.length} photos ${width}x${height} JPEG (${(bytes / photos.length / 1024).toFixed(0)} kB average), drawn in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const alone = await timed(photos, (p) => peer.run({ bytes: p.bytes }));
  const ours = await timed(photos, (p) =>
    decodePool().run({ bytes: p.bytes, type: 'jpg', maxPixels: MAX_PIXELS, quality: false }),
  );
  const withQuality = await timed(photos, (p) =>
    decodePool().run({ bytes: p.bytes, type: 'jpg', maxPixels: MAX_PIXELS, quality: true }),
  );
  const rows = [];
  for (const kind of Object.keys(KINDS)) {
    const of = photos.map((p, i) => ({ p, i })).filter(({ p }) => p.kind === kind);
    const okAlone = of.filter(({ p, i }) => alone.answers[i].includes(p.text)).length;
    const okOurs = of.filter(({ p, i }) =>
      ours.answers[i].codes?.some((c) => c.text === p.text),
    ).length;
    // Speed per kind: the easy photos are most of a real day's scans, the hard ones cost more.
    const kindPhotos = of.map(({ p }) => p);
    const aloneSpeed = (await timed(kindPhotos, (p) => peer.run({ bytes: p.bytes }))).perSecond;
    const oursSpeed = (
      await timed(kindPhotos, (p) =>
        decodePool().run({ bytes: p.bytes, type: 'jpg', maxPixels: MAX_PIXELS, quality: false }),
      )
    ).perSecond;
    rows.push({
      kind,
      photos: of.length,
      zxingAlone: okAlone,
      ours: okOurs,
      zxingAlonePerSecond: Math.round(aloneSpeed),
      oursPerSecond: Math.round(oursSpeed),
    });
  }
  const passes = {};
  photos.forEach((p, i) => {
    const answer = ours.answers[i];
    if (answer.codes?.some((c) => c.text === p.text))
      passes[answer.attempt] = (passes[answer.attempt] ?? 0) + 1;
  });
  const total = (key) => rows.reduce((sum, row) => sum + row[key], 0);
  console.table(
    Object.fromEntries(
      rows.map((r) => [
        r.kind,
        {
          photos: r.photos,
          'zxing-wasm alone': r.zxingAlone,
          'QR Forge': r.ours,
          'alone img/s': r.zxingAlonePerSecond,
          'QR Forge img/s': r.oursPerSecond,
        },
      ]),
    ),
  );
  const rate = (n) => `${((n / photos.length) * 100).toFixed(1)} %`;
  console.log(
    `decoded: zxing-wasm alone ${total('zxingAlone')} (${rate(total('zxingAlone'))}), QR Forge ${total('ours')} (${rate(total('ours'))}) — ${total('ours') - total('zxingAlone')} more`,
  );
  console.log(`found by each pass of ours: ${JSON.stringify(passes)}`);
  console.log(
    `images/s on ${availableParallelism()} threads: zxing-wasm alone ${alone.perSecond.toFixed(0)}, QR Forge ${ours.perSecond.toFixed(0)} (${(ours.perSecond / alone.perSecond).toFixed(2)}x), QR Forge with the quality report ${withQuality.perSecond.toFixed(0)}`,
  );
  results.push({
    size: `${width}x${height}`,
    photos: photos.length,
    kinds: rows,
    passes,
    imagesPerSecond: {
      zxingAlone: Math.round(alone.perSecond),
      ours: Math.round(ours.perSecond),
      oursWithQuality: Math.round(withQuality.perSecond),
    },
  });
}
await peer.destroy();
await closeDecodePool();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'scan.json'),
  JSON.stringify(
    {
      cpu: cpus()[0]?.model,
      threads: availableParallelism(),
      date: new Date().toISOString(),
      results,
    },
    null,
    2,
  ),
);
