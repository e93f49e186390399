/** The scanning module: codes read back from photos and cameras, and scan sessions. */
import type { DomainModule } from '../registry.js';
import { scanRoutes } from './routes.js';

export const scanningModule: DomainModule = {
  name: 'scanning',
  tags: [
    {
      name: 'scanning',
      description: 'Decode codes from images; scan sessions checked against the inventory',
    },
  ],
  routes: async (app, context) => scanRoutes(app, context),
};
