/**
 * Storage locations are URLs: `file://<dir>`, `s3://<bucket>/<prefix>`, `azure://<container>/<prefix>`.
 * Per-location options ride in the query string so a primary and a backup on different services
 * can differ (`s3://codes?endpoint=http://127.0.0.1:9000&path_style=true&checksum=when_required`).
 * Secrets never do: S3 credentials come from the AWS SDK's own chain (environment, profile, IAM
 * role), Azure from AZURE_STORAGE_CONNECTION_STRING or, with `?account=<name>`, from Azure's own
 * chain (workload identity on AKS, managed identity, environment).
 */
export const STORAGE_SCHEMES = ['file', 's3', 'azure'] as const;
export type StorageScheme = (typeof STORAGE_SCHEMES)[number];

/** Query options each scheme understands; anything else is refused so a typo is not ignored. */
const OPTIONS: Record<StorageScheme, readonly string[]> = {
  file: [],
  s3: ['endpoint', 'region', 'path_style', 'checksum'],
  azure: ['account'],
};

export interface StorageLocation {
  scheme: StorageScheme;
  /** Folder (file), bucket (s3) or container (azure). */
  root: string;
  /** Key prefix inside the bucket or container, without slashes at either end; '' for none. */
  prefix: string;
  options: Record<string, string>;
}

/** Its message says what was expected (callers prefix "expected "). */
export class StorageLocationError extends Error {}

export function parseLocation(raw: string): StorageLocation {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(raw);
  const scheme = match?.[1].toLowerCase();
  if (!match || !(STORAGE_SCHEMES as readonly string[]).includes(scheme!))
    throw new StorageLocationError(
      `${STORAGE_SCHEMES.map((s) => `${s}://`).join(', ')} followed by a location`,
    );
  const rest = match[2];
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const options = Object.fromEntries(
    new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1)),
  );
  const known = OPTIONS[scheme as StorageScheme];
  const unknown = Object.keys(options).filter((name) => !known.includes(name));
  if (unknown.length)
    throw new StorageLocationError(
      `only the options ${known.join(', ') || '(none)'} for ${scheme}://, not ${unknown.join(', ')}`,
    );
  if (scheme === 'file') {
    if (!path) throw new StorageLocationError('file://<folder>, e.g. file://./data/objects');
    return { scheme, root: decodeURIComponent(path), prefix: '', options };
  }
  const [root, ...parts] = path.split('/');
  if (!root) throw new StorageLocationError(`${scheme}://<bucket or container>/<prefix>`);
  const segments = parts.filter(Boolean);
  if (segments.some((part) => !/^[A-Za-z0-9._-]+$/.test(part) || /^\.+$/.test(part)))
    throw new StorageLocationError(
      `a prefix of A-Z a-z 0-9 . _ - / without "." or ".." segments, not ${JSON.stringify(segments.join('/'))}`,
    );
  const prefix = segments.join('/');
  return { scheme: scheme as StorageScheme, root, prefix, options };
}
