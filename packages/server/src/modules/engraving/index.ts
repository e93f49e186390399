/** The engraving module: laser machines, a priority job queue, G-code, GRBL streaming. */
import { Counter } from 'prom-client';
import { ReadCache } from '../inventory/read-cache.js';
import type { DomainModule } from '../registry.js';
import { closeSimulators } from './machines.js';
import { engravingRoutes } from './routes.js';
import { EngravingRunner } from './runner.js';

export const engravingModule: DomainModule = {
  name: 'engraving',
  tags: [{ name: 'engraving', description: 'Laser machines, engraving jobs, G-code, GRBL' }],
  routes: async (app, context) => engravingRoutes(app, context),
  background: (context) => {
    const cache = new ReadCache(context.redis);
    const runner = new EngravingRunner(context.database.db, {
      leaseMs: context.config.engravingLeaseMs,
      probeMs: context.config.engravingProbeMs,
      allowLocal: context.config.engravingAllowLocal,
      commandTimeoutMs: context.config.engravingCommandTimeoutMs,
      pieces: new Counter({
        name: 'engraving_pieces_total',
        help: 'Engraving pieces finished by this process: done, failed, checked (dry run).',
        labelNames: ['result'] as const,
        registers: [context.metrics.registry],
      }),
      onItemsChanged: (tenantId) => cache.invalidate(tenantId),
    });
    return {
      name: 'engraving',
      start: () => runner.start(context.config.engravingPollMs),
      stop: async () => {
        await runner.stop();
        await closeSimulators();
      },
      runner,
    };
  },
};
