/**
 * CSV in and out: uploads past the byte, row and field caps are refused whole, naming the cap;
 * cells a spreadsheet would run as formulas (= + - @) come back defused in every export.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { batches } from '../../src/modules/generate/schema.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { ENGINES } from '../helpers/engines.js';
import { multipart } from '../helpers/multipart.js';
import { figure } from './figure.js';

const MAX_BYTES = 5 * 1024 * 1024;
const MAX_ROWS = 100_000;
const FORMULAS = [
  '=HYPERLINK("http://evil.example","x")',
  '+cmd|" /C calc"!A0',
  '-2+3',
  '@SUM(A1:A9)',
];

describe('CSV caps and formula injection', () => {
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const opened = await ENGINES[0].open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        batchMaxBytes: MAX_BYTES,
        batchMaxRows: MAX_ROWS,
        rateLimitMax: 100_000,
      }),
      { database: handle },
    );
    ({ tenantA } = await twoTenants(app));
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
  });

  const upload = (csv: string) => {
    const body = multipart([{ name: 'parts.csv', bytes: Buffer.from(csv) }]);
    return app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
  };

  it('refuses a 6 MB file, 100,001 rows and a 1 MB field, recording nothing', async () => {
    const big = `data\n${`${'y'.repeat(99)}\n`.repeat(61_000)}`;
    expect(big.length).toBeGreaterThan(6_000_000);
    const rows = `data\n${Array.from({ length: MAX_ROWS + 1 }, (_, i) => `r${i}`).join('\n')}\n`;
    const field = `data\nok\n${'z'.repeat(1024 * 1024)}\n`;
    const answers = {
      big: await upload(big),
      rows: await upload(rows),
      field: await upload(field),
    };
    expect(answers.big.statusCode).toBe(413);
    expect(answers.rows.statusCode).toBe(413);
    expect(answers.rows.json()).toMatchObject({ code: 'BATCH_ERR_TOO_MANY_ROWS' });
    expect(answers.field.statusCode).toBe(422);
    expect(answers.field.json<{ detail: string }>().detail).toMatch(/line 3/);
    for (const res of Object.values(answers))
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const [{ n }] = await handle.db
      .select({ n: count() })
      .from(batches)
      .where(eq(batches.tenantId, tenantA));
    expect(n).toBe(0);
    figure(
      'CSV import',
      `${(big.length / 1e6).toFixed(1)} MB file -> 413, ${(MAX_ROWS + 1).toLocaleString('en')} rows -> 413 BATCH_ERR_TOO_MANY_ROWS, 1 MB field -> 422 naming line 3; 0 batches recorded`,
    );
  });

  it('defuses formula cells in the inventory export and the audit CSV', async () => {
    for (const [i, formula] of FORMULAS.entries()) {
      const made = await app.server.inject({
        method: 'POST',
        url: '/api/v1/inventory/generate',
        headers: auth,
        payload: {
          componentType: 'PAD',
          vendorCode: 'V0100',
          lotNumber: `L${i}`,
          manufacturingDate: '2026-01-01',
          count: 1,
          location: formula,
        },
      });
      expect(made.statusCode).toBe(201);
    }
    const exported = await app.server.inject({
      url: '/api/v1/inventory/items/export?format=csv',
      headers: auth,
    });
    const audit = await app.server.inject({ url: '/api/v1/audit?format=csv', headers: auth });
    let cells = 0;
    for (const csv of [exported.body, audit.body]) {
      for (const formula of FORMULAS) {
        // Present, but never at the start of a cell.
        const quoted = `"'${formula.replace(/"/g, '""')}"`;
        if (csv.includes(quoted)) cells++;
        expect(csv).not.toMatch(new RegExp(`(^|,)"?${escape(formula.replace(/"/g, '""'))}`, 'm'));
      }
    }
    expect(cells).toBeGreaterThanOrEqual(FORMULAS.length);
    figure(
      'CSV import',
      `formula cells (= + - @) in the inventory export and the audit CSV: ${cells} found, every one prefixed with ' (0 live formulas)`,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
