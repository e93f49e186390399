/**
 * The committed migrations match the Drizzle schema: regenerating them into a copy must find
 * nothing to add (run `npm run db:generate` after changing schema.ts).
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const serverDir = new URL('..', import.meta.url).pathname;

describe('migrations', () => {
  it('are current with src/platform/db/schema.ts', async () => {
    // drizzle-kit only handles --out relative to the working directory.
    const out = `.migrations-check-${process.pid}`;
    cpSync(join(serverDir, 'drizzle'), join(serverDir, out), { recursive: true });
    try {
      const before = readdirSync(join(serverDir, out)).sort();
      const drizzleKit = join(serverDir, '../../node_modules/.bin/drizzle-kit');
      const { stdout, stderr } = await run(
        drizzleKit,
        [
          'generate',
          '--dialect',
          'postgresql',
          '--schema',
          './src/platform/db/schema.ts',
          '--out',
          out,
        ],
        { cwd: serverDir },
      );
      expect(stderr + stdout).toMatch(/No schema changes/);
      expect(readdirSync(join(serverDir, out)).sort()).toEqual(before);
    } finally {
      rmSync(join(serverDir, out), { recursive: true, force: true });
    }
  });
});
