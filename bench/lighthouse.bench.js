// Lighthouse 12.2.3 (the last release that runs on Node 20), mobile defaults, in Debian's
// Chromium, against the built app served by `qrforge serve`: the generator as an anonymous
// visitor, and a signed-in page (the batches list). Prints the four category scores per page and
// the weight and first paint, and writes them to bench/results/lighthouse.json.
//   npm run bench:lighthouse            (builds first)
//   node bench/lighthouse.bench.js --runs 3   (median of three runs per page)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { startQrforge } from './serve.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' } } });
const RUNS = Number(values.runs);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

const server = await startQrforge();
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: FLAGS,
  userDataDir: mkdtempSync(join(tmpdir(), 'qrforge-lighthouse-')),
});
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });

async function audit(path, signedIn) {
  const page = await browser.newPage();
  if (signedIn) {
    // The web page keeps its tokens in sessionStorage (this tab): put them there from a page
    // that loads none of the assets (so the audit starts with a cold cache, as it does when
    // Lighthouse resets storage), and keep them.
    await page.goto(`${server.base}/health`);
    const cdp = await page.createCDPSession();
    await cdp.send('Network.clearBrowserCache');
    await page.evaluate(
      (tokens) => sessionStorage.setItem('qrforge.session', JSON.stringify(tokens)),
      server.tokens,
    );
  }
  const result = await lighthouse(
    `${server.base}${path}`,
    { port: chrome.port, output: 'json', logLevel: 'error', disableStorageReset: signedIn },
    undefined,
    page,
  );
  await page.close();
  const { categories, audits } = result.lhr;
  return {
    scores: Object.fromEntries(
      CATEGORIES.map((c) => [c, Math.round((categories[c].score ?? 0) * 100)]),
    ),
    firstContentfulPaintMs: Math.round(audits['first-contentful-paint'].numericValue),
    largestContentfulPaintMs: Math.round(audits['largest-contentful-paint'].numericValue),
    totalBlockingTimeMs: Math.round(audits['total-blocking-time'].numericValue),
    transferKiB: Math.round(audits['total-byte-weight'].numericValue / 1024),
    failed: Object.values(audits)
      .filter(
        (a) =>
          a.score !== null &&
          a.score < 1 &&
          a.scoreDisplayMode !== 'informative' &&
          a.scoreDisplayMode !== 'manual' &&
          a.scoreDisplayMode !== 'notApplicable',
      )
      .map((a) => `${a.id} (${a.score})`),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pages = [
  { name: 'generator (anonymous)', path: '/generate', signedIn: false },
  { name: 'batches (signed in)', path: '/batches', signedIn: true },
];
const results = [];
try {
  for (const page of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await audit(page.path, page.signedIn));
    const byPerformance = [...runs].sort((a, b) => a.scores.performance - b.scores.performance);
    const typical = byPerformance[Math.floor(runs.length / 2)];
    const row = {
      page: page.name,
      path: page.path,
      runs: runs.length,
      ...typical,
      performanceRuns: runs.map((r) => r.scores.performance),
      firstContentfulPaintMs: median(runs.map((r) => r.firstContentfulPaintMs)),
    };
    results.push(row);
    console.log(
      `${page.name.padEnd(24)} performance ${row.scores.performance} (runs ${row.performanceRuns.join(', ')}), accessibility ${row.scores.accessibility}, best practices ${row.scores['best-practices']}, SEO ${row.scores.seo}; first paint ${(row.firstContentfulPaintMs / 1000).toFixed(1)} s, LCP ${(row.largestContentfulPaintMs / 1000).toFixed(1)} s, ${row.transferKiB} KiB`,
    );
    if (row.failed.length) console.log(`  below 1: ${row.failed.join(', ')}`);
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
  server.child.kill();
}
const version = (await import('lighthouse/package.json', { with: { type: 'json' } })).default
  .version;
writeFileSync(
  new URL('results/lighthouse.json', import.meta.url),
  `${JSON.stringify(
    {
      tool: `lighthouse ${version}, mobile defaults (simulated throttling), ${CHROMIUM}`,
      command: 'npm run bench:lighthouse',
      date: new Date().toISOString(),
      node: process.version,
      pages: results,
    },
    null,
    2,
  )}\n`,
);
