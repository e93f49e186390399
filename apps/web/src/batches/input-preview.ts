/**
 * The first rows of a batch file, read in the browser before upload so the user can check them
 * and map columns. CSV is parsed with csv-parse — the parser the server uses, with the same
 * options — so the preview shows what the server will read.
 */

export type InputKind = 'csv' | 'txt';

export interface InputPreview {
  kind: InputKind;
  /** Column titles: the header row's cells, or "Column 1", "Column 2", … without one. */
  columns: string[];
  /** The first data rows (cells by column). */
  rows: string[][];
  /** Whether the file has more rows than shown. */
  more: boolean;
}

/** Enough bytes for the first rows of any sensible file without reading a large one whole. */
const PREVIEW_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 10;

/** The kind of a file as the server decides it (by extension, then by media type). */
export function kindOf(file: { name: string; type: string }): InputKind | undefined {
  if (/\.csv$/i.test(file.name) || file.type === 'text/csv') return 'csv';
  if (/\.txt$/i.test(file.name) || file.type === 'text/plain') return 'txt';
  return undefined;
}

/** The start of a file as text, cut after its last complete line. */
export async function readStart(file: Blob): Promise<{ text: string; whole: boolean }> {
  const whole = file.size <= PREVIEW_BYTES;
  let text = await readText(file.slice(0, PREVIEW_BYTES));
  if (!whole) text = text.slice(0, text.lastIndexOf('\n') + 1);
  return { text, whole };
}

/**
 * Rows to show. Throws an Error naming the problem when the CSV cannot be read (an unclosed
 * quote, for example); the server would refuse the file for the same reason.
 */
export async function previewInput(
  text: string,
  kind: InputKind,
  options: { header: boolean; whole: boolean },
): Promise<InputPreview> {
  if (kind === 'txt') {
    const lines = text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    return {
      kind,
      columns: ['Data'],
      rows: lines.slice(0, PREVIEW_ROWS).map((line) => [line]),
      more: lines.length > PREVIEW_ROWS || !options.whole,
    };
  }
  // The CSV parser (tens of KiB) loads when a file is chosen, not with the batches page.
  const { parse } = await import('csv-parse/browser/esm/sync');
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      to_line: PREVIEW_ROWS + 2,
    });
  } catch (error) {
    throw new Error(`The CSV cannot be read: ${(error as Error).message}`);
  }
  const head = options.header ? (records.shift() ?? []) : [];
  const width = Math.max(head.length, ...records.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, i) => head[i] || `Column ${i + 1}`);
  return {
    kind,
    columns,
    rows: records.slice(0, PREVIEW_ROWS),
    more: records.length > PREVIEW_ROWS || !options.whole,
  };
}

/**
 * The column a role most likely lives in, by header name: "url", "data", "content"… for the
 * data; "name", "file"… for file names; "label", "title"… for the sheet labels.
 */
export function guessColumn(
  columns: string[],
  role: 'data' | 'name' | 'label',
): number | undefined {
  const words = {
    data: ['data', 'url', 'link', 'content', 'value', 'text', 'uid', 'code'],
    name: ['name', 'filename', 'file', 'id', 'sku', 'serial'],
    label: ['label', 'title', 'caption', 'description'],
  }[role];
  for (const word of words) {
    const index = columns.findIndex((column) => column.trim().toLowerCase() === word);
    if (index >= 0) return index;
  }
  return role === 'data' ? 0 : undefined;
}

/** FileReader rather than Blob.text(): the same in browsers, and jsdom (component tests) has it. */
function readText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('The file cannot be read'));
    reader.readAsText(blob);
  });
}
