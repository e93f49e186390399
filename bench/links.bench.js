// Dynamic-code redirects with autocannon, one run, on this machine: QR Forge's GET /q/<slug> (a
// real `qrforge serve` on the embedded defaults: PGlite, the code looked up through the cache,
// rules checked, the visitor read from the user agent, the scan event queued and written in
// batches) against a bare Fastify route answering the same 302 (the framework's ceiling). Prints
// redirects/s, P50, P99, the share of the ceiling, and checks that every scan was recorded.
// Target (issue 11): 5,000 redirects/s or more, P99 under 10 ms.
// Usage: npm run bench:links [-- --seconds 10 --connections 10]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, startQrforge, waitUp } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

function run(name, url) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: Number(args.connections),
        duration: Number(args.seconds),
        headers: { 'user-agent': IPHONE, 'accept-language': 'fr-CH, fr;q=0.9' },
      },
      (error, result) => {
        if (error) return reject(error);
        // A redirect is the answer here: every response must be a 3xx.
        if (result.errors || result['3xx'] !== result.requests.total)
          return reject(
            new Error(
              `${name}: ${result['3xx']} redirects of ${result.requests.total}, ${result.errors} errors`,
            ),
          );
        resolve({
          name,
          redirectsPerSecond: result.requests.average,
          total: result.requests.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
          p97_5: result.latency.p97_5,
          p99_9: result.latency.p99_9,
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
  QRFORGE_PUBLIC_RATE_LIMIT_MAX: '100000000',
});
const barePort = await freePort();
const bare = spawn(process.execPath, [join(here, 'bare-server.js'), String(barePort)], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  await waitUp(`http://127.0.0.1:${barePort}/`);
  const created = await fetch(`${base}/api/v1/links/codes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({
      name: 'bench',
      target: 'https://example.com/manual',
      rules: [
        { device: ['desktop'], target: 'https://example.com/desktop' },
        { device: ['mobile'], language: ['fr'], target: 'https://example.com/fr/mobile' },
      ],
    }),
  });
  const code = await created.json();
  console.log(
    `Redirect benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}, ` +
      `${args.connections} connections, ${args.seconds} s each\n`,
  );
  const ceiling = await run('bare Fastify 302', `http://127.0.0.1:${barePort}/q/x`);
  const ours = await run('GET /q/<slug> (QR Forge)', `${base}/q/${code.slug}`);
  // Every scan recorded: the analytics count what autocannon sent (after the last batch).
  await new Promise((r) => setTimeout(r, 1500));
  const stats = await (
    await fetch(`${base}/api/v1/links/analytics?codeId=${code.id}`, { headers: auth })
  ).json();
  console.log('| | redirects/s | P50 ms | P99 ms | of the ceiling |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of [ceiling, ours])
    console.log(
      `| ${r.name} | ${Math.round(r.redirectsPerSecond).toLocaleString('en')} | ${r.p50} | ${r.p99} | ${((r.redirectsPerSecond / ceiling.redirectsPerSecond) * 100).toFixed(0)} % |`,
    );
  console.log(
    `\nScans recorded: ${stats.scans.toLocaleString('en')} of ${ours.total.toLocaleString('en')} redirects` +
      ` (autocannon counts only answered requests).\nTarget: 5,000/s and P99 < 10 ms: ${
        ours.redirectsPerSecond >= 5000 && ours.p99 < 10 ? 'met' : 'NOT met'
      }.`,
  );
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'links.json'),
    JSON.stringify({ ceiling, ours, recorded: stats.scans }, null, 2),
  );
} finally {
  server.kill();
  bare.kill();
}
