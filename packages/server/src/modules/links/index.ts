/** The links module: dynamic codes, their redirects, and scan analytics. */
import maxmind, { type CountryResponse } from 'maxmind';
import type { DomainModule } from '../registry.js';
import { DynamicCodes } from './codes.js';
import { TenantAddresses } from './addresses.js';
import { publicItemRoutes } from './public-routes.js';
import { linkRoutes } from './routes.js';
import { ScanLog } from './scan-log.js';
import { VisitorReader } from './visitor.js';

export const linksModule: DomainModule = {
  name: 'links',
  tags: [
    {
      name: 'links',
      description: 'Dynamic codes (editable targets), their redirects, scan analytics',
    },
  ],
  routes: async (app, context) => {
    const { config } = context;
    const db = context.database.db;
    const geoip = config.geoipDb ? await maxmind.open<CountryResponse>(config.geoipDb) : undefined;
    const scans = new ScanLog(db, context.metrics.registry, {
      flushMs: config.scanLogFlushMs,
      // PGlite runs in this thread: smaller batches keep each write's pause short (P99).
      batch: 100,
      maxBuffered: 100_000,
      log: (message, error) => app.log.error({ err: error }, message),
    });
    app.addHook('onClose', async () => scans.close());
    const visitors = new VisitorReader(context.secret, geoip);
    const addresses = new TenantAddresses(db, config.linkCacheMs);
    const { count } = linkRoutes(app, context, {
      codes: new DynamicCodes(db, config.linkCacheMs),
      scans,
      visitors,
      addresses,
    });
    publicItemRoutes(app, context, {
      addresses,
      scans,
      visitors,
      count,
    });
  },
};
