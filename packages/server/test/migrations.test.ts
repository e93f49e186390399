/**
 * The committed migrations match the Drizzle schema: regenerating them into a copy must find
 * nothing to add (run `npm run db:generate` after changing schema.ts).
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const serverDir = new URL('..', import.meta.url).pathname;

describe('migrations', () => {
  it('are current with the platform and module schemas', async () => {
    // drizzle-kit only handles --out relative to the working directory.
    const out = `.migrations-check-${process.pid}`;
    cpSync(join(serverDir, 'drizzle'), join(serverDir, out), { recursive: true });
    try {
      const before = readdirSync(join(serverDir, out)).sort();
      const drizzleKit = join(serverDir, '../../node_modules/.bin/drizzle-kit');
      // The project's schema list, with the copy as output.
      const config = join(serverDir, `${out}.config.ts`);
      writeFileSync(
        config,
        readFileSync(join(serverDir, 'drizzle.config.ts'), 'utf8').replace(
          "out: './drizzle'",
          `out: './${out}'`,
        ),
      );
      const { stdout, stderr } = await run(drizzleKit, ['generate', '--config', config], {
        cwd: serverDir,
      }).finally(() => rmSync(config));
      expect(stderr + stdout).toMatch(/No schema changes/);
      expect(readdirSync(join(serverDir, out)).sort()).toEqual(before);
    } finally {
      rmSync(join(serverDir, out), { recursive: true, force: true });
    }
  });
});
