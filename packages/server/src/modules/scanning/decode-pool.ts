/**
 * Decoding runs in worker threads (piscina, one per core), so a large photo never blocks the event
 * loop. Under the TypeScript loader (tests, `tsx`) the workers get the same loader.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { DecodeResult, DecodeTask } from './decode-worker.js';

let pool: Piscina<DecodeTask, DecodeResult | { error: string }> | undefined;

export function decodePool(): Piscina<DecodeTask, DecodeResult | { error: string }> {
  if (!pool) {
    const source = import.meta.url.endsWith('.ts');
    pool = new Piscina({
      filename: new URL(`./decode-worker.${source ? 'ts' : 'js'}`, import.meta.url).href,
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: 30_000,
      execArgv: source ? ['--import', 'tsx'] : [],
    });
  }
  return pool;
}

export async function closeDecodePool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}
