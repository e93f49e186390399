/** The scanning module: codes read back from photos (sessions and the camera page come next). */
import type { DomainModule } from '../registry.js';
import { scanRoutes } from './routes.js';

export const scanningModule: DomainModule = {
  name: 'scanning',
  tags: [{ name: 'scanning', description: 'Decode codes from images' }],
  routes: async (app, context) => scanRoutes(app, context),
};
