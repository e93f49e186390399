// Mixed traffic against a real `qrforge serve` on the embedded defaults (PGlite), with autocannon
// on the same 2 cores. Two runs: first unthrottled, to find where the server saturates on this mix;
// then at a fixed rate (--rate, default 1,000 requests/s), reporting the error rate, P50/P95/P99
// and the server's RSS sampled every second with its trend (a soak: --seconds 600).
// Targets (issue 10): 0 errors below saturation, P95 under 100 ms at 1,000 requests/s, no RSS
// growth trend in the soak.
// Usage: npm run bench:load [-- --seconds 30 --rate 1000 --connections 20]
//        npm run bench:soak   (the same at 10 minutes)
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startQrforge } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '20' },
    'saturation-seconds': { type: 'string', default: '15' },
    // PostgreSQL and Redis instead of the embedded defaults (a fresh database, migrated).
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL },
    'redis-url': { type: 'string', default: process.env.BENCH_REDIS_URL },
  },
});
const ITEMS = 1000;
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

const setting = args['database-url']
  ? `PostgreSQL${args['redis-url'] ? ' + Redis' : ''}`
  : 'embedded defaults (PGlite)';
const server = await startQrforge({
  ...(args['database-url'] ? { DATABASE_URL: args['database-url'] } : {}),
  ...(args['redis-url']
    ? { REDIS_URL: args['redis-url'], QRFORGE_QUEUE_PREFIX: `load${Date.now()}` }
    : {}),
  QRFORGE_RATE_LIMIT_MAX: '1000000',
  // The set-up's lot answers at once (201), with no worker process needed beside a Redis set-up.
  QRFORGE_INVENTORY_SYNC_COUNT: String(ITEMS),
  QRFORGE_ANONYMOUS_RATE_LIMIT_MAX: '1000000',
  QRFORGE_PUBLIC_RATE_LIMIT_MAX: '100000000',
});
const { base, auth } = server;
const json = { ...auth, 'content-type': 'application/json' };

/** The server's resident set in MB, from the kernel (what an OOM killer would count). */
const rssMb = () => {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
};

async function setUp() {
  const made = await fetch(`${base}/api/v1/inventory/generate`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      componentType: 'PAD',
      vendorCode: 'V0100',
      lotNumber: 'L2026-01',
      manufacturingDate: '2026-01-15',
      count: ITEMS,
      warrantyYears: 2,
    }),
  });
  const body = await made.json();
  if (made.status === 202)
    for (;;) {
      const job = await (
        await fetch(`${base}/api/v1/jobs/${body.jobId}`, { headers: auth })
      ).json();
      if (job.status === 'completed') break;
      if (['failed', 'cancelled'].includes(job.status)) throw new Error(`generate ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  else if (made.status !== 201) throw new Error(`generate refused: ${made.status}`);
  const uids = [];
  for (let cursor; uids.length < ITEMS;) {
    const page = await (
      await fetch(
        `${base}/api/v1/inventory/items?lot=L2026-01&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: auth },
      )
    ).json();
    uids.push(...page.items.map((item) => item.uid));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const code = await (
    await fetch(`${base}/api/v1/links/codes`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'load', target: 'https://example.com/manual' }),
    })
  ).json();
  return { uids, slug: code.slug };
}

/**
 * The mix, in proportion (each connection walks it in order): what a plant's clients and its
 * customers' phones do all day — redirects and item look-ups most, lists and code images next.
 */
function mix({ uids, slug }) {
  const anyUid = () => uids[Math.floor(Math.random() * uids.length)];
  const get = (path) => ({ method: 'GET', path, headers: auth });
  const lookUp = () => ({
    method: 'GET',
    name: '/api/v1/inventory/items/:uid',
    setupRequest: (req) => ({ ...req, path: `/api/v1/inventory/items/${anyUid()}` }),
    headers: auth,
  });
  const redirect = { method: 'GET', path: `/q/${slug}`, headers: { 'user-agent': IPHONE } };
  const code = (format) => ({
    method: 'POST',
    path: '/api/v1/codes',
    name: `/api/v1/codes (${format})`,
    headers: json,
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify({ data: `https://example.com/p/${Math.random()}`, format }),
    }),
  });
  return [
    redirect,
    lookUp(),
    redirect,
    get('/api/v1/inventory/items?lot=L2026-01&limit=50'),
    code('svg'),
    redirect,
    lookUp(),
    redirect,
    {
      method: 'GET',
      name: '/api/v1/inventory/items/:uid/timeline',
      setupRequest: (req) => ({ ...req, path: `/api/v1/inventory/items/${anyUid()}/timeline` }),
      headers: auth,
    },
    code('png'),
    redirect,
    lookUp(),
    get('/api/v1/inventory/analytics/counts?by=status'),
    lookUp(),
    get('/health'),
    redirect,
  ];
}

/** One autocannon run; P50/P95/P99 from every response's own time (its summary has no P95). */
function run(mixed, { seconds, rate }) {
  // Failures per kind of request, so a failing one is named, not just counted.
  const failures = {};
  const requests = mixed.map((request) => ({
    ...request,
    onResponse: (status) => {
      if (status >= 400) {
        const name = `${request.method} ${(request.name ?? request.path).split('?')[0]} ${status}`;
        failures[name] = (failures[name] ?? 0) + 1;
      }
    },
  }));
  return new Promise((resolve, reject) => {
    const times = [];
    const rss = [];
    const started = Date.now();
    const sampler = setInterval(
      () => rss.push({ s: (Date.now() - started) / 1000, mb: rssMb() }),
      1000,
    );
    const instance = autocannon(
      {
        url: base,
        connections: Number(args.connections),
        duration: seconds,
        ...(rate ? { overallRate: rate } : {}),
        requests,
      },
      (error, result) => {
        clearInterval(sampler);
        if (error) return reject(error);
        times.sort((a, b) => a - b);
        const at = (p) =>
          Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] * 10) / 10;
        const answered = result.requests.total;
        const failed = result.errors + result.timeouts + result.non2xx - result['3xx'];
        resolve({
          requestsPerSecond: Math.round(answered / seconds),
          total: answered,
          failed,
          errorRate: answered ? failed / answered : 1,
          statuses: {
            '2xx': result['2xx'],
            '3xx': result['3xx'],
            '4xx': result['4xx'],
            '5xx': result['5xx'],
          },
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
          failures,
          rss,
        });
      },
    );
    instance.on('response', (client, status, bytes, responseTime) => times.push(responseTime));
  });
}

/** Least-squares slope of RSS over time, in MB per minute. */
function trend(samples) {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((a, p) => a + p.s, 0) / n;
  const my = samples.reduce((a, p) => a + p.mb, 0) / n;
  const num = samples.reduce((a, p) => a + (p.s - mx) * (p.mb - my), 0);
  const den = samples.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  return (num / den) * 60;
}

try {
  const state = await setUp();
  const requests = mix(state);
  const seconds = Number(args.seconds);
  const rate = Number(args.rate);
  console.log(
    `Load benchmark: ${cpus().length} cores (${cpus()[0].model}), node ${process.version}, ` +
      `${args.connections} connections, ${setting}, ${ITEMS} items; ` +
      `mix per ${requests.length} requests: 6 redirects, 4 item look-ups, 1 list, 1 timeline, ` +
      `1 SVG, 1 PNG, 1 analytics, 1 health\n`,
  );
  // Warm up (JIT, caches), then find saturation on this mix.
  await run(requests, { seconds: 3 });
  const saturation = await run(requests, { seconds: Number(args['saturation-seconds']) });
  const steady = await run(requests, { seconds, rate });
  const second = steady.rss.filter((p) => p.s >= seconds / 2);
  const rss = {
    start: steady.rss[0]?.mb,
    peak: Math.max(...steady.rss.map((p) => p.mb)),
    end: steady.rss.at(-1)?.mb,
    trendMbPerMin: trend(second),
  };
  const fmt = (n) => Math.round(n).toLocaleString('en');
  console.log('| run | requests/s | errors | P50 ms | P95 ms | P99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of [
    ['unthrottled (saturation)', saturation],
    [`fixed ${fmt(rate)}/s for ${seconds} s`, steady],
  ])
    console.log(
      `| ${name} | ${fmt(r.requestsPerSecond)} | ${r.failed} of ${fmt(r.total)} (${(r.errorRate * 100).toFixed(2)} %) | ${r.p50} | ${r.p95} | ${r.p99} |`,
    );
  for (const [name, r] of [
    ['unthrottled', saturation],
    ['fixed rate', steady],
  ])
    if (Object.keys(r.failures).length) console.log(`failures (${name}):`, r.failures);
  console.log(
    `\nTarget rate as a share of saturation: ${((rate / saturation.requestsPerSecond) * 100).toFixed(0)} %` +
      `\nRSS during the fixed-rate run: ${rss.start?.toFixed(0)} MB at start, ${rss.peak.toFixed(0)} MB peak, ` +
      `${rss.end?.toFixed(0)} MB at end; trend over the second half ${rss.trendMbPerMin.toFixed(1)} MB/min` +
      `\nTargets: 0 errors at ${fmt(rate)}/s: ${steady.failed === 0 ? 'met' : 'NOT met'}; ` +
      `P95 < 100 ms: ${steady.p95 < 100 ? 'met' : 'NOT met'}; ` +
      `${steady.requestsPerSecond >= rate * 0.95 ? 'rate held' : `rate NOT held (${fmt(steady.requestsPerSecond)}/s)`}.`,
  );
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', `load-${seconds}s.json`),
    JSON.stringify(
      { rate, seconds, saturation: { ...saturation, rss: undefined }, steady, rss },
      null,
      2,
    ),
  );
} finally {
  server.child.kill('SIGTERM');
}
