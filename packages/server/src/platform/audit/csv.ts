/**
 * CSV for spreadsheets (RFC 4180): every field quoted; cells that a spreadsheet would run as a
 * formula (starting with = + - @ tab or carriage return) get a leading apostrophe (OWASP CSV
 * injection).
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : value instanceof Date
          ? value.toISOString()
          : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
