import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const qr = (path: string) => fileURLToPath(new URL(`packages/qr/src/${path}`, import.meta.url));

/** Tests run the engine's sources, not a possibly stale dist/ (the exports map of packages/qr). */
export const resolve = {
  alias: [
    { find: /^@qrforge\/qr$/, replacement: qr('index.ts') },
    { find: /^@qrforge\/qr\/svg$/, replacement: qr('render/svg.ts') },
    { find: /^@qrforge\/qr\/png$/, replacement: qr('render/png.ts') },
    { find: /^@qrforge\/qr\/text$/, replacement: qr('render/text.ts') },
    { find: /^@qrforge\/qr\/style$/, replacement: qr('style/styled-svg.ts') },
    { find: /^@qrforge\/qr\/payloads$/, replacement: qr('payloads/index.ts') },
  ],
};

export default defineConfig({
  resolve,
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.tsx',
      'deploy/test/**/*.test.ts',
    ],
    // The reliability suite has its own run (vitest.resilience.config.ts, npm run test:resilience).
    exclude: ['**/node_modules/**', 'packages/server/test/resilience/**'],
    // Integration tests start real databases; give slow machines room.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
