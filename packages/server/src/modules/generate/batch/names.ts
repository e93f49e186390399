/**
 * File names inside a batch ZIP: from a column or a template, reduced to a safe character set (no
 * directories, no `..`, no absolute paths, no control characters) and made unique.
 */

const MAX_NAME = 100;

/** `{row}`, `{row:5}` (zero-padded), `{data}`, `{name}` in a template such as `qr-{row:5}`. */
export function fileName(
  template: string,
  row: { row: number; data: string; name?: string },
): string {
  const raw = template.replace(
    /\{(row|data|name)(?::(\d{1,2}))?\}/g,
    (_m, key: string, pad?: string) => {
      if (key === 'row') return String(row.row).padStart(Number(pad ?? 0), '0');
      return key === 'data' ? row.data : (row.name ?? '');
    },
  );
  return safeName(raw) || `row-${row.row}`;
}

export function safeName(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, MAX_NAME);
}

/** Gives repeated names a `-2`, `-3`… suffix. */
export class UniqueNames {
  private readonly seen = new Map<string, number>();

  take(name: string): string {
    const count = (this.seen.get(name) ?? 0) + 1;
    this.seen.set(name, count);
    if (count === 1) return name;
    const unique = `${name}-${count}`;
    return this.seen.has(unique) ? this.take(unique) : (this.seen.set(unique, 1), unique);
  }
}
