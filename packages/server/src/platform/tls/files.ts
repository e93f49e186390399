/** Where `qrforge tls init` keeps its files, and the names and addresses of this machine. */
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  dir: string;
  ca: string;
  caKey: string;
  cert: string;
  key: string;
}

export function tlsFiles(dataDir: string): TlsFiles {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };
}

/** The names and addresses this machine answers to: host name, localhost, every interface. */
export function machineNames(): string[] {
  const names = new Set(['localhost', hostname()]);
  if (!hostname().includes('.')) names.add(`${hostname()}.local`);
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? [])
      if (!address.address.startsWith('fe80')) names.add(address.address);
  names.add('127.0.0.1');
  names.add('::1');
  return [...names];
}
