// HTTP benchmark with autocannon, one run, on this machine: a bare Fastify route (the ceiling of
// the framework), the same bare route sending the bytes and headers of one real render answer
// (the cost of the response itself, without the platform), against QR Forge's GET render PNG (a signed <img> URL) and POST /api/v1/codes
// PNG, repeated (answered by the render cache after the first) and all different (rendered every
// time), served by a real `qrforge serve` on the embedded defaults. Prints requests/s, P50,
// P97.5 and P99 latency, and each endpoint's share of the bare route's requests/s.
// Usage: npm run bench:http [-- --seconds 10 --connections 10]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, startQrforge, waitUp } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'date',
  'content-length',
  'transfer-encoding',
]);
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});

function start(args, env) {
  return spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function run(name, options) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        connections: Number(args.connections),
        duration: Number(args.seconds),
        ...options,
      },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx || result.errors)
          return reject(new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        resolve({
          name,
          requestsPerSecond: result.requests.average,
          p50: result.latency.p50,
          p97_5: result.latency.p97_5,
          p99: result.latency.p99,
        });
      },
    );
  });
}

const {
  child: server,
  base,
  auth,
} = await startQrforge({
  QRFORGE_RATE_LIMIT_MAX: '1000000',
  QRFORGE_ANONYMOUS_RATE_LIMIT_MAX: '1000000',
});
const data = 'https://example.com/p/PAD-V0100-L2025-09-00001';
const signed = await fetch(`${base}/api/v1/codes/render-url`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...auth },
  body: JSON.stringify({ data, format: 'png', size: 256, expiresIn: 86400 }),
});
const { url } = await signed.json();
// One real render answer, for the bare server to send as is.
const sample = await fetch(`${base}${url}`);
const capturedHeaders = Object.fromEntries(
  [...sample.headers].filter(([name]) => !HOP_BY_HOP.has(name)),
);
const capture = join(mkdtempSync(join(tmpdir(), 'qrforge-bench-')), 'render.json');
writeFileSync(
  capture,
  JSON.stringify({
    headers: capturedHeaders,
    body: Buffer.from(await sample.arrayBuffer()).toString('base64'),
  }),
);
const barePort = await freePort();
const bare = start([join(here, 'bare-server.js'), String(barePort), capture], {});
try {
  await waitUp(`http://127.0.0.1:${barePort}/`);

  console.log(
    `HTTP benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}, ` +
      `${args.connections} connections, ${args.seconds} s each\n`,
  );
  const results = [];
  results.push(await run('bare Fastify route', { url: `http://127.0.0.1:${barePort}/` }));
  results.push(
    await run('bare Fastify, same PNG+headers', { url: `http://127.0.0.1:${barePort}/same` }),
  );
  results.push(await run('GET render PNG (signed URL)', { url: `${base}${url}` }));
  results.push(
    await run('POST /api/v1/codes PNG', {
      url: `${base}/api/v1/codes`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data, format: 'png', size: 256 }),
    }),
  );
  // Every request a new code: nothing comes from the render cache.
  let serial = 0;
  results.push(
    await run('POST /api/v1/codes PNG, all new', {
      url: `${base}/api/v1/codes`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ data: `${data}-${serial++}`, format: 'png', size: 256 }),
          }),
        },
      ],
    }),
  );
  const [ceiling, sameBytes] = results.map((r) => r.requestsPerSecond);
  const share = (r, of) => `${((r.requestsPerSecond / of) * 100).toFixed(0)}%`;
  for (const r of results)
    console.log(
      `${r.name.padEnd(30)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  ` +
        `P50 ${r.p50} ms  P97.5 ${r.p97_5} ms  P99 ${r.p99} ms  ` +
        `${share(r, ceiling)} of the bare route, ${share(r, sameBytes)} of the same-bytes route`,
    );
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results/http.json'),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2),
  );
} finally {
  bare.kill('SIGTERM');
  server.kill('SIGTERM');
}
