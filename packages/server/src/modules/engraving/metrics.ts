/**
 * Engraving gauges, read from the database at scrape time so they are right whichever process
 * runs the machines: jobs by status (the queue backlog is `engraving_jobs{status="queued"}`) and
 * machines by state, over all tenants.
 */
import { count } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../platform/db/database.js';
import { engravingJobs, JOB_STATUSES, MACHINE_STATES, machines } from './schema.js';

export function engravingGauges(registry: Registry, db: Database) {
  new Gauge({
    name: 'engraving_jobs',
    help: 'Engraving jobs by status (queued: the backlog waiting for a machine)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ status: engravingJobs.status, n: count() })
        .from(engravingJobs)
        .groupBy(engravingJobs.status);
      for (const status of JOB_STATUSES)
        this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'engraving_machines',
    help: 'Laser machines by state: idle, busy, alarm, offline',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ state: machines.state, n: count() })
        .from(machines)
        .groupBy(machines.state);
      for (const state of MACHINE_STATES)
        this.set({ state }, Number(rows.find((r) => r.state === state)?.n ?? 0));
    },
  });
}
