/**
 * Batches end to end on the embedded defaults: CSV and TXT uploads (multipart) and JSON lists run
 * as jobs on the worker-thread pool; the ZIP's files, the label sheet and the report are read
 * back (every code decoded by ZXing); limits and bad input answer problem+json.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { eq } from 'drizzle-orm';
import { closeRenderPool } from '../src/modules/generate/batch/pool.js';
import { batches } from '../src/modules/generate/schema.js';
import { batchDynamicCodes } from '../src/modules/links/short-urls.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';

let app: App;
let handle: DatabaseHandle;
let cleanup: () => Promise<void>;
let headers: { authorization: string };

beforeAll(async () => {
  ({ handle, cleanup } = await ENGINES[0].open());
  app = await buildApp(
    testConfig({
      jwtSecret: 'batch-test-secret-batch-test-secret-0123',
      batchMaxRows: 50,
      batchMaxBytes: 64 * 1024,
      batchMaxFieldLength: 300,
    }),
    { database: handle },
  );
  app.queue!.start(app.jobHandlers);
  await twoTenants(app);
  headers = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
});
afterAll(async () => {
  await app.queue!.close(1000);
  await app.server.close();
  await closeRenderPool();
  await cleanup();
});

function multipart(
  file: { name: string; type: string; content: string } | undefined,
  options?: unknown,
) {
  const boundary = '----qrforge' + Math.random().toString(16).slice(2);
  let body = '';
  if (options !== undefined)
    body += `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${JSON.stringify(options)}\r\n`;
  if (file)
    body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.content}\r\n`;
  body += `--${boundary}--\r\n`;
  return {
    payload: body,
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

interface Batch {
  id: string;
  status: string;
  error: string | null;
  rows: number;
  ok: number | null;
  errors: number | null;
  files: Record<string, { url: string; size: number }>;
}

async function finished(id: string): Promise<Batch> {
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    const batch = (
      await app.server.inject({ url: `/api/v1/batches/${id}`, headers })
    ).json<Batch>();
    if (['completed', 'failed', 'cancelled'].includes(batch.status)) return batch;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`batch ${id} did not finish`);
}

const download = async (url: string) => (await app.server.inject({ url, headers })).rawPayload;

describe('batches', () => {
  it('CSV upload: column mapping, names, PNG+SVG ZIP, label sheet, and a report of bad rows', async () => {
    const csv = [
      'sku,url,label',
      'A-1,https://example.com/a,Part A',
      'B-2,https://example.com/b,Part B',
      'C-3,,Part C', // empty data: reported
      '../evil,https://example.com/e,Part E', // hostile name: made safe
      `D-4,${'x'.repeat(301)},too long`, // over the field limit: reported
    ].join('\n');
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      ...multipart(
        { name: 'parts.csv', type: 'text/csv', content: csv },
        {
          formats: ['png', 'svg'],
          columns: { data: 'url', name: 'sku', label: 'label' },
          sheet: { columns: 2, rows: 2 },
        },
      ),
    });
    expect(created.statusCode, created.body).toBe(202);
    const batch = await finished(created.json<Batch>().id);
    expect(batch).toMatchObject({ status: 'completed', rows: 5, ok: 3, errors: 2 });

    const zip = unzipSync(await download(batch.files.zip.url));
    expect(Object.keys(zip).sort()).toEqual([
      'A-1.png',
      'A-1.svg',
      'B-2.png',
      'B-2.svg',
      'evil.png',
      'evil.svg',
    ]);
    expect(await decodeFile(zip['A-1.png'], 'image/png')).toEqual(['https://example.com/a']);
    expect(await decodeFile(zip['evil.svg'], 'image/svg+xml')).toEqual(['https://example.com/e']);

    const sheet = await download(batch.files.sheet.url);
    expect((await decodeFile(sheet, 'application/pdf')).sort()).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/e',
    ]);
    const report = (await download(batch.files.report.url)).toString();
    expect(report).toContain('3,error,,the data is empty');
    expect(report).toMatch(/^5,error,x+,the data is longer than 300 characters$/m);
    expect(report).toContain('1,ok,https://example.com/a,');
    expect((await download(`/api/v1/batches/${batch.id}/files/input`)).toString()).toBe(csv);
  });

  it('TXT upload: one code per line, default names', async () => {
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      ...multipart({ name: 'serials.txt', type: 'text/plain', content: 'SN-1\nSN-2\n\nSN-3\n' }),
    });
    const batch = await finished(created.json<Batch>().id);
    expect(batch).toMatchObject({ status: 'completed', ok: 3, errors: 0 });
    const zip = unzipSync(await download(batch.files.zip.url));
    expect(Object.keys(zip)).toEqual(['qr-00001.png', 'qr-00002.png', 'qr-00003.png']);
    expect(await decodeFile(zip['qr-00003.png'], 'image/png')).toEqual(['SN-3']);
  });

  it('JSON rows, and all-or-nothing refuses the batch when a row fails', async () => {
    const ok = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers,
      payload: { rows: [{ data: 'one', name: 'first' }, { data: 'two' }], formats: ['pdf'] },
    });
    const batch = await finished(ok.json<Batch>().id);
    expect(Object.keys(unzipSync(await download(batch.files.zip.url)))).toEqual([
      'first.pdf',
      'row-2.pdf',
    ]);

    const strict = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers,
      payload: { rows: [{ data: 'fine' }, { data: '' }], allOrNothing: true },
    });
    const refused = await finished(strict.json<Batch>().id);
    expect(refused).toMatchObject({ status: 'failed', ok: 0, errors: 1 });
    expect(refused.error).toContain('nothing was produced (allOrNothing)');
    expect(Object.keys(refused.files)).toEqual(['report']);
  });

  it('dynamic batches: one dynamic code per row, drawn as its short URL; a rerun makes none twice', async () => {
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/batches',
      ...multipart(
        {
          name: 'manuals.csv',
          type: 'text/csv',
          content:
            'sku,url\nM-1,https://example.com/m1\nM-2,mailto:x@example.com\nM-3,https://example.com/m3\n',
        },
        { dynamic: true, columns: { data: 'url', name: 'sku' } },
      ),
    });
    expect(created.statusCode, created.body).toBe(202);
    const batch = await finished(created.json<Batch>().id);
    expect(batch).toMatchObject({ status: 'completed', rows: 3, ok: 2, errors: 1 });
    const report = (await download(batch.files.report.url)).toString('utf8').trim().split('\n');
    expect(report[0]).toBe('row,status,data,short_url,error');
    expect(report[2]).toMatch(
      /^2,error,mailto:x@example.com,,"not a dynamic code target: a target must be http or https/,
    );
    const short = report[1].split(',')[3];
    expect(short).toMatch(/^http:\/\/localhost:80\/q\/[A-Za-z0-9]{9}$/);

    const zip = unzipSync(await download(batch.files.zip.url));
    expect(Object.keys(zip)).toEqual(['M-1.png', 'M-3.png']);
    expect(await decodeFile(zip['M-1.png'], 'image/png')).toEqual([short]);
    const slug = short.split('/q/')[1];
    const scan = await app.server.inject(`/q/${slug}`);
    expect([scan.statusCode, scan.headers.location]).toEqual([302, 'https://example.com/m1']);
    const codes = (
      await app.server.inject({ url: '/api/v1/links/codes?limit=100', headers })
    ).json<{
      codes: { slug: string; name: string }[];
    }>().codes;
    expect(codes.find((c) => c.slug === slug)?.name).toBe('M-1');

    // The job run again (a worker crashed after making the codes) finds them rather than adding.
    const [row] = await handle.db.select().from(batches).where(eq(batches.id, batch.id));
    const again = await batchDynamicCodes(
      handle.db,
      row,
      [{ row: 1, target: 'https://example.com/m1' }],
      { actorType: 'system', actorId: null, tenantId: row.tenantId, requestId: null, ip: null },
    );
    expect(again.get(1)).toEqual({ slug });
    const after = (
      await app.server.inject({ url: '/api/v1/links/codes?limit=100', headers })
    ).json<{
      codes: unknown[];
    }>().codes;
    expect(after.length).toBe(codes.length);
  });

  it('limits and bad input answer problem+json naming the problem', async () => {
    const post = (args: object) =>
      app.server.inject({ method: 'POST', url: '/api/v1/batches', ...args });
    const tooMany = await post(
      multipart({
        name: 'a.txt',
        type: 'text/plain',
        content: Array.from({ length: 51 }, (_, i) => `r${i}`).join('\n'),
      }),
    );
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ code: 'BATCH_ERR_TOO_MANY_ROWS' });
    const tooBig = await post(
      multipart({ name: 'a.txt', type: 'text/plain', content: 'x'.repeat(70 * 1024) }),
    );
    expect(tooBig.statusCode).toBe(413);
    const badOptions = await post(
      multipart({ name: 'a.txt', type: 'text/plain', content: 'x' }, { formats: ['gif'] }),
    );
    expect(badOptions.statusCode).toBe(400);
    expect(badOptions.json<{ errors: { field: string }[] }>().errors[0].field).toBe(
      'options.formats.0',
    );
    const wrongType = await post(
      multipart({ name: 'a.exe', type: 'application/octet-stream', content: 'x' }),
    );
    expect(wrongType.statusCode).toBe(422);
    const noColumn = await post(
      multipart(
        { name: 'a.csv', type: 'text/csv', content: 'a,b\n1,2' },
        { columns: { data: 'url' } },
      ),
    );
    expect(noColumn.statusCode).toBe(422);
    expect(noColumn.json<{ detail: string }>().detail).toContain('columns.data: no column "url"');
    const badJson = await post({ headers, payload: { rows: [], formats: ['png'] } });
    expect(badJson.statusCode).toBe(400);
    const viewer = await post({ payload: { rows: [{ data: 'x' }] } });
    expect(viewer.statusCode).toBe(401);
  });
});
