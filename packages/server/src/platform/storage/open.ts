/**
 * A store from a location URL (see location.ts): `file://<dir>` (relative to the working
 * directory), `s3://<bucket>/<prefix>`, `azure://<container>/<prefix>`; empty means
 * `<data dir>/objects`. Unknown schemes and options are refused, naming the variable.
 *
 * The S3 and Azure drivers are imported only when a location names them: their SDKs hold about
 * 15 MB of heap in every process that loads them (measured with the ZIP export, docs/security.md).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { LocalStore } from './local.js';
import { parseLocation, StorageLocationError } from './location.js';
import type { ObjectStore } from './storage.js';

export interface StoreSettings {
  dataDir: string;
  azureConnectionString: string | undefined;
  tryTimeoutMs: number;
  maxAttempts: number;
}

export async function openStore(
  location: string | undefined,
  settings: StoreSettings,
  variable: string,
): Promise<ObjectStore> {
  if (!location) return new LocalStore(join(settings.dataDir, 'objects'));
  const fail = (reason: string) =>
    new Error(`${variable}=${JSON.stringify(location)} is invalid: ${reason}`);
  let parsed;
  try {
    parsed = parseLocation(location);
  } catch (error) {
    if (error instanceof StorageLocationError) throw fail(`expected ${error.message}`);
    throw error;
  }
  const spoolDir = join(settings.dataDir, 'spool');
  switch (parsed.scheme) {
    case 'file':
      return new LocalStore(isAbsolute(parsed.root) ? parsed.root : resolve(parsed.root));
    case 's3': {
      const {
        endpoint,
        region,
        path_style: pathStyle,
        checksum = 'when_supported',
      } = parsed.options;
      if (checksum !== 'when_supported' && checksum !== 'when_required')
        throw fail('checksum must be when_supported or when_required');
      const { S3Store } = await import('./s3.js');
      return new S3Store({
        bucket: parsed.root,
        prefix: parsed.prefix,
        endpoint,
        region,
        forcePathStyle: pathStyle === 'true',
        checksum,
        tryTimeoutMs: settings.tryTimeoutMs,
        maxAttempts: settings.maxAttempts,
        spoolDir,
      });
    }
    case 'azure': {
      if (!settings.azureConnectionString && !parsed.options.account)
        throw fail(
          'azure:// needs AZURE_STORAGE_CONNECTION_STRING, or ?account=<storage account> for a managed or workload identity',
        );
      if (parsed.options.account && !/^[a-z0-9]{3,24}$/.test(parsed.options.account))
        throw fail('account must be a storage account name: 3-24 lower-case letters and digits');
      const { AzureStore } = await import('./azure.js');
      return new AzureStore({
        container: parsed.root,
        prefix: parsed.prefix,
        account: parsed.options.account,
        connectionString: parsed.options.account ? undefined : settings.azureConnectionString,
        tryTimeoutMs: settings.tryTimeoutMs,
        maxAttempts: settings.maxAttempts,
        spoolDir,
      });
    }
  }
}
