/**
 * The PostgreSQL pool as gauges, read at scrape: `db_pool_connections{state}` (total, idle,
 * waiting) and `db_pool_max`. Waiting callers with every connection busy is pool exhaustion
 * (deploy/monitoring alert DatabasePoolExhausted).
 */
import { Gauge, type Registry } from 'prom-client';
import type { DatabaseHandle } from './database.js';

export function databaseMetrics(registry: Registry, database: DatabaseHandle): void {
  const stats = database.poolStats?.bind(database);
  if (!stats) return;
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections by state: total (open), idle, waiting (callers queued)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { total, idle, waiting } = stats();
      this.set({ state: 'total' }, total);
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  new Gauge({
    name: 'db_pool_max',
    help: 'Most connections the PostgreSQL pool opens',
    registers: [registry],
    collect() {
      this.set(stats().max);
    },
  });
}
