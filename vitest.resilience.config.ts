/**
 * `npm run test:resilience`: the tests behind docs/reliability-targets.md (faults, crashes,
 * attacks, limits). Each test reports its figure with `figure()`; the run ends with a table of
 * every target and its figures, and names the targets that have no test yet.
 */
import { defineConfig } from 'vitest/config';
import { resolve } from './vitest.config.js';

export default defineConfig({
  resolve,
  test: {
    include: ['packages/server/test/resilience/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['packages/server/test/resilience/figures-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 120_000,
  },
});
