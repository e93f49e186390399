/** The generate module: single codes, render URLs, history, batches. */
import type { DomainModule } from '../registry.js';
import { batchRoutes } from './batch/routes.js';
import { runBatch } from './batch/run-batch.js';
import { BATCH_JOB } from './batch/service.js';
import { generateRoutes } from './routes.js';

export const generateModule: DomainModule = {
  name: 'generate',
  tags: [{ name: 'generate', description: 'Generate codes; history of stored codes' }],
  routes: async (app, context) => {
    generateRoutes(app, context);
    await batchRoutes(app, context);
  },
  jobs: (context) => ({
    [BATCH_JOB]: async (payload: { batchId: string }, job) =>
      runBatch(context, payload.batchId, job),
  }),
};
