/**
 * Batch input: CSV (with a column mapping) or TXT (one value per line) into rows. Bad rows are
 * kept with their problem, so the report names them and the good rows still become codes.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../errors.js';

export interface ColumnMapping {
  /** Header name, or 1-based column number, of the data to encode; default the first column. */
  data?: string | number;
  /** Column naming each file. */
  name?: string | number;
  /** Column printed under each code on the label sheet. */
  label?: string | number;
}

export interface BatchRow {
  /** 1-based row number in the input (data rows, header excluded). */
  row: number;
  data: string;
  name?: string;
  label?: string;
  /** Why the row cannot become a code; undefined for good rows. */
  error?: string;
}

export interface InputLimits {
  maxRows: number;
  maxFieldLength: number;
}

export type InputKind = 'csv' | 'txt';

export function kindOf(filename: string, mimetype: string): InputKind | undefined {
  if (/\.csv$/i.test(filename) || mimetype === 'text/csv') return 'csv';
  if (/\.txt$/i.test(filename) || mimetype === 'text/plain') return 'txt';
  return undefined;
}

export function parseInput(
  text: string,
  kind: InputKind,
  mapping: ColumnMapping & { header?: boolean },
  limits: InputLimits,
): BatchRow[] {
  const records = kind === 'txt' ? textRecords(text) : csvRecords(text, mapping, limits);
  if (records.length > limits.maxRows)
    throw new AppError(
      'BATCH_ERR_TOO_MANY_ROWS',
      `The input has ${records.length} rows; the limit is ${limits.maxRows} (QRFORGE_BATCH_MAX_ROWS)`,
    );
  if (records.length === 0) throw new AppError('BATCH_ERR_INPUT', 'The input has no rows');
  return records.map((r, i) => checkRow({ row: i + 1, ...r }, limits));
}

function textRecords(text: string): Omit<BatchRow, 'row'>[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => ({ data: line }));
}

function csvRecords(
  text: string,
  mapping: ColumnMapping & { header?: boolean },
  limits: InputLimits,
): Omit<BatchRow, 'row'>[] {
  let records: string[][];
  try {
    const parsed: unknown = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: limits.maxFieldLength * 4,
    });
    records = parsed as string[][];
  } catch (error) {
    throw new AppError('BATCH_ERR_INPUT', `The CSV cannot be read: ${(error as Error).message}`);
  }
  const header = mapping.header ?? true;
  const names = header ? (records.shift() ?? []) : [];
  const column = (which: string | number | undefined, what: string): number | undefined => {
    if (which === undefined) return undefined;
    if (typeof which === 'number') return which - 1;
    const index = names.indexOf(which);
    if (index < 0)
      throw new AppError(
        'BATCH_ERR_INPUT',
        `columns.${what}: no column "${which}" in the header (${names.join(', ')})`,
      );
    return index;
  };
  const data = column(mapping.data, 'data') ?? 0;
  const name = column(mapping.name, 'name');
  const label = column(mapping.label, 'label');
  return records.map((r) => ({
    data: r[data] ?? '',
    name: name === undefined ? undefined : r[name],
    label: label === undefined ? undefined : r[label],
  }));
}

function checkRow(row: BatchRow, limits: InputLimits): BatchRow {
  if (row.data.trim() === '') return { ...row, error: 'the data is empty' };
  if (row.data.length > limits.maxFieldLength)
    return { ...row, error: `the data is longer than ${limits.maxFieldLength} characters` };
  return row;
}
