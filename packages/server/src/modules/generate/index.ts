/** The generate module: single codes, render URLs, history (and batches, next). */
import type { DomainModule } from '../registry.js';
import { generateRoutes } from './routes.js';

export const generateModule: DomainModule = {
  name: 'generate',
  tags: [{ name: 'generate', description: 'Generate codes; history of stored codes' }],
  routes: async (app, context) => generateRoutes(app, context),
};
