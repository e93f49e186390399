import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
    // Integration tests start real databases; give slow machines room.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
