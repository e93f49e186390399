/**
 * The embedded database's buffer cache comes from QRFORGE_EMBEDDED_SHARED_BUFFERS_MB: PGlite keeps
 * all of it resident, so the setting is what bounds the process's fixed memory (docs/operations.md).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db/database.js';

async function sharedBuffers(env: Record<string, string>): Promise<string> {
  const config = loadConfig({
    ...env,
    QRFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'qrforge-sb-')),
  });
  const database = await openDatabase(config);
  try {
    const result = await database.db.execute(sql`show shared_buffers`);
    return (result as { rows: { shared_buffers: string }[] }).rows[0].shared_buffers;
  } finally {
    await database.close();
  }
}

describe('embedded database memory', () => {
  it('uses 32 MB of shared buffers by default, and the setting when given', async () => {
    expect(await sharedBuffers({})).toBe('32MB');
    expect(await sharedBuffers({ QRFORGE_EMBEDDED_SHARED_BUFFERS_MB: '24' })).toBe('24MB');
  });
});
