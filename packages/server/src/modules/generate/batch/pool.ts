/**
 * The render pool: one worker thread per core (piscina), so a batch uses every core while the
 * event loop stays free for requests. Under the TypeScript loader (tests, `tsx`) the workers get
 * the same loader.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { RenderedChunk, RenderTask } from './render-worker.js';

let pool: Piscina<RenderTask, RenderedChunk> | undefined;

export function renderPool(threads = availableParallelism()): Piscina<RenderTask, RenderedChunk> {
  if (!pool) {
    const source = import.meta.url.endsWith('.ts');
    pool = new Piscina({
      filename: new URL(`./render-worker.${source ? 'ts' : 'js'}`, import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 30_000,
      // A small young generation: the threads make short-lived buffers only, and V8's default
      // (16 MB semi-spaces) let each thread grow by ~15 MB during a batch for no gain in speed
      // (10,000 PNG codes: 1.6 s either way; peak RSS 242 -> 228 MB, docs/security.md).
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      execArgv: source ? ['--import', 'tsx'] : [],
    });
  }
  return pool;
}

export async function closeRenderPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}

/** Starts every thread now (a process about to run batches), so the first batch does not wait. */
export async function warmRenderPool(): Promise<void> {
  const pool = renderPool();
  await Promise.all(
    Array.from({ length: pool.options.maxThreads }, () =>
      pool.run({ texts: ['warm'], format: 'png', style: {} }),
    ),
  );
}
