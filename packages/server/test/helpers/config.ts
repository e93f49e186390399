import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

/** Defaults with silent logs and a fresh data folder. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    dataDir: mkdtempSync(join(tmpdir(), 'qrforge-test-')),
    // Tests drive the engraving runner by hand; machine checks are tested on their own.
    engravingProbeMs: 0,
    // Tests run their GRBL controllers on loopback; engraving-machines.test.ts checks the refusal.
    engravingAllowLocal: true,
    ...overrides,
  };
}
