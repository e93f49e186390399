// @vitest-environment jsdom
/** The batch preview reads CSV and TXT as the server will, and guesses the columns. */
import { describe, expect, it } from 'vitest';
import { guessColumn, kindOf, previewInput, PREVIEW_ROWS, readStart } from './input-preview.js';

describe('batch input preview', () => {
  it('reads a CSV with a header, quotes, a BOM and ragged rows', async () => {
    const csv =
      '\uFEFFsku,url,label\nA-1,"https://example.com/a,1",First\nA-2,https://example.com/b\n';
    const preview = await previewInput(csv, 'csv', { header: true, whole: true });
    expect(preview.columns).toEqual(['sku', 'url', 'label']);
    expect(preview.rows).toEqual([
      ['A-1', 'https://example.com/a,1', 'First'],
      ['A-2', 'https://example.com/b'],
    ]);
    expect(preview.more).toBe(false);
  });

  it('names columns by number without a header, and keeps the first row as data', async () => {
    const preview = await previewInput('a,b\nc,d\n', 'csv', { header: false, whole: true });
    expect(preview.columns).toEqual(['Column 1', 'Column 2']);
    expect(preview.rows).toHaveLength(2);
  });

  it(`shows at most ${PREVIEW_ROWS} rows and says when there are more`, async () => {
    const csv = ['data', ...Array.from({ length: 50 }, (_, i) => `row-${i}`)].join('\n');
    const preview = await previewInput(csv, 'csv', { header: true, whole: true });
    expect(preview.rows).toHaveLength(PREVIEW_ROWS);
    expect(preview.rows[0]).toEqual(['row-0']);
    expect(preview.more).toBe(true);
    const txt = await previewInput('one\n\ntwo\n', 'txt', { header: true, whole: true });
    expect(txt.rows).toEqual([['one'], ['two']]);
    expect(txt.more).toBe(false);
  });

  it('names the problem in a CSV the server would refuse', async () => {
    await expect(
      previewInput('data\n"unclosed\n', 'csv', { header: true, whole: true }),
    ).rejects.toThrow(/The CSV cannot be read: .*quote/i);
  });

  it('reads only the start of a large file, cut after a whole line', async () => {
    const big = new Blob([Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n')]);
    const { text, whole } = await readStart(big);
    expect(whole).toBe(false);
    expect(text.length).toBeLessThanOrEqual(64 * 1024);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').at(-2)).toMatch(/^line \d+$/);
  });

  it('guesses the data, name and label columns from the header', () => {
    const columns = ['Serial', 'URL', 'Title'];
    expect(guessColumn(columns, 'data')).toBe(1);
    expect(guessColumn(columns, 'name')).toBe(0);
    expect(guessColumn(columns, 'label')).toBe(2);
    expect(guessColumn(['a', 'b'], 'data')).toBe(0);
    expect(guessColumn(['a', 'b'], 'name')).toBeUndefined();
  });

  it('tells CSV from TXT as the server does', () => {
    expect(kindOf({ name: 'parts.CSV', type: '' })).toBe('csv');
    expect(kindOf({ name: 'list', type: 'text/plain' })).toBe('txt');
    expect(kindOf({ name: 'photo.png', type: 'image/png' })).toBeUndefined();
  });
});
