/**
 * Storage from a location URL: `file://<dir>` (relative paths from the working directory);
 * empty means `<data dir>/objects`. Unknown schemes are refused, naming the variable.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { LocalStore } from './local.js';
import type { ObjectStore } from './storage.js';

export const STORAGE_SCHEMES = ['file:'] as const;

export function openStore(
  location: string | undefined,
  dataDir: string,
  variable: string,
): ObjectStore {
  if (!location) return new LocalStore(join(dataDir, 'objects'));
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'file:') {
    const path = decodeURIComponent(location.slice('file://'.length));
    return new LocalStore(isAbsolute(path) ? path : resolve(path));
  }
  throw new Error(
    `${variable}=${JSON.stringify(location)} is invalid: expected a location with scheme ${STORAGE_SCHEMES.map((s) => s + '//').join(', ')}`,
  );
}
