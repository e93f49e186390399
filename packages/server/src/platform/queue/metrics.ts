/**
 * Jobs by status as a gauge, read from the database at scrape so it is right whichever process
 * runs them (workers have no /metrics). A rise in `queue_jobs{status="failed"}` is a job that ran
 * out of attempts, a stalled one included (deploy/monitoring alert QRForgeJobsFailing).
 */
import { count } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { JOB_STATUSES, jobs } from '../db/schema.js';

export function queueGauges(registry: Registry, db: Database): void {
  new Gauge({
    name: 'queue_jobs',
    help: 'Background jobs by status (failed: out of attempts, stalled runs included)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ status: jobs.status, n: count() })
        .from(jobs)
        .groupBy(jobs.status);
      for (const status of JOB_STATUSES)
        this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
    },
  });
}
