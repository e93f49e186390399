// Benchmarks @qrforge/qr against peer QR libraries, single thread, same payloads, ECC M, one run.
// Usage: npm run bench [-- --seconds 1 --quick]
// PNG figures use node-qrcode's defaults (4 px per module, 4-module margin) for every subject;
// the UID batch renders at 8 px per module.
// Prints a table with each figure's ratio to the fastest peer and writes bench/results/qr.json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import paulmillr from '@paulmillr/qr';
import QRCode from 'qrcode';
import qrcodeGenerator from 'qrcode-generator';
import * as uqr from 'uqr';
import { encodeText } from '../packages/qr/dist/index.js';
import { renderPng } from '../packages/qr/dist/render/png.js';
import { renderSvg } from '../packages/qr/dist/render/svg.js';
import { runBatch } from './uid-batch.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
  },
});
const SECONDS = args.quick ? 0.25 : Number(args.seconds);

function seeded(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = seeded(7);
const pick = (alphabet, n) =>
  Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz ,.';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export const CASES = {
  'url-28': 'https://example.com/p/a1b2c3',
  uid: 'PAD-V0100-L2025-09-00001',
  'text-200': pick(LOWER, 200),
  'base64-1000': pick(B64, 1000),
  // 2,500 characters must fit at level M: alphanumeric text (byte mode holds 2,331 at 40-M).
  'alnum-2500': pick(ALNUM, 2500),
};

/** Synchronous result of a callback-style API that calls back synchronously, else a promise. */
function callbackResult(fn) {
  let out;
  let done = false;
  fn((error, value) => {
    if (error) throw error;
    out = value;
    done = true;
  });
  return done ? out : undefined;
}

const SUBJECTS = {
  qrforge: {
    matrix: (t) => encodeText(t, { ecc: 'M' }),
    svg: (t) => renderSvg(encodeText(t, { ecc: 'M' })),
    png: (t) => renderPng(encodeText(t, { ecc: 'M' }), { scale: 4, margin: 4 }),
  },
  'node-qrcode': {
    matrix: (t) => QRCode.create(t, { errorCorrectionLevel: 'M' }),
    svg: (t) =>
      callbackResult((cb) => QRCode.toString(t, { type: 'svg', errorCorrectionLevel: 'M' }, cb)),
    // Its PNG path is asynchronous (pngjs stream); awaited one at a time, as a caller would.
    png: (t) => QRCode.toBuffer(t, { errorCorrectionLevel: 'M', scale: 4, margin: 4 }),
  },
  '@paulmillr/qr': {
    matrix: (t) => paulmillr(t, 'raw', { ecc: 'medium', border: 0 }),
    svg: (t) => paulmillr(t, 'svg', { ecc: 'medium' }),
  },
  uqr: {
    matrix: (t) => uqr.encode(t, { ecc: 'M', border: 0 }),
    svg: (t) => uqr.renderSVG(t, { ecc: 'M' }),
  },
  'qrcode-generator': {
    matrix: (t) => generator(t),
    svg: (t) => generator(t).createSvgTag(),
  },
};

function generator(text) {
  const qr = qrcodeGenerator(0, 'M');
  // It does not segment: choose its mode as a user would for the data.
  qr.addData(text, /^[0-9A-Z $%*+\-./:]*$/.test(text) ? 'Alphanumeric' : 'Byte');
  qr.make();
  return qr;
}

async function measure(fn, text) {
  // Warm up for a fifth of the time, then count calls in whole batches until time is up.
  const isAsync = fn(text) instanceof Promise;
  const run = async (ms) => {
    const end = performance.now() + ms;
    let n = 0;
    const start = performance.now();
    while (performance.now() < end) {
      for (let i = 0; i < 8; i++) {
        if (isAsync) await fn(text);
        else fn(text);
      }
      n += 8;
    }
    return n / ((performance.now() - start) / 1000);
  };
  await run(SECONDS * 200);
  return run(SECONDS * 1000);
}

const results = [];
console.log(
  `QR benchmark: ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${SECONDS}s per figure, ECC M\n`,
);
for (const metric of ['matrix', 'svg', 'png']) {
  for (const [caseName, text] of Object.entries(CASES)) {
    for (const [subject, fns] of Object.entries(SUBJECTS)) {
      if (!fns[metric]) continue;
      const value = await measure(fns[metric], text);
      results.push({ subject, case: caseName, metric, value: Math.round(value), unit: 'codes/s' });
    }
  }
}

// One row per (metric, case); each figure with its ratio to the fastest peer.
const subjects = Object.keys(SUBJECTS);
const rows = [['metric', 'case', ...subjects, 'qrforge/fastest peer', 'qrforge/node-qrcode']];
for (const metric of ['matrix', 'svg', 'png']) {
  for (const caseName of Object.keys(CASES)) {
    const of = (s) =>
      results.find((r) => r.subject === s && r.case === caseName && r.metric === metric)?.value;
    const peers = subjects.filter((s) => s !== 'qrforge' && of(s) !== undefined);
    const fastest = Math.max(...peers.map(of));
    const cell = (s) =>
      of(s) === undefined
        ? '-'
        : `${of(s).toLocaleString('en')} (${(of(s) / fastest).toFixed(2)}x)`;
    rows.push([
      metric,
      caseName,
      ...subjects.map(cell),
      `${(of('qrforge') / fastest).toFixed(1)}x`,
      `${(of('qrforge') / of('node-qrcode')).toFixed(1)}x`,
    ]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const [i, row] of rows.entries()) {
  console.log(row.map((c, j) => c.padEnd(widths[j])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}

const batch = await runBatch({ count: args.quick ? 20_000 : 100_000 });
console.log(
  `\nUID batch: ${batch.count.toLocaleString('en')} UIDs to PNG on ${batch.workers} worker threads: ` +
    `${Math.round(batch.codesPerSecond).toLocaleString('en')} codes/s (${batch.seconds.toFixed(2)} s, ${(batch.bytes / batch.count).toFixed(0)} bytes/PNG)`,
);
results.push({
  subject: 'qrforge',
  case: 'uid-batch',
  metric: `png-${batch.workers}-threads`,
  value: Math.round(batch.codesPerSecond),
  unit: 'codes/s',
});

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'qr.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote bench/results/qr.json (${results.length} figures)`);
