/**
 * The certificate `serve` answers HTTPS with: QRFORGE_TLS_CERT and QRFORGE_TLS_KEY, or else the
 * one `qrforge tls init` made in the data folder. Read and checked at start: a missing file, a
 * file that is not PEM, or a key that is not the certificate's stops start-up naming the variable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type Config } from '../../config.js';
import { tlsFiles } from './files.js';

export interface TlsCredentials {
  cert: string;
  key: string;
  /** Where they came from, for the start-up message. */
  source: 'QRFORGE_TLS_CERT' | 'qrforge tls init';
}

function readPem(variable: string, path: string, label: RegExp, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(variable, path, `a readable ${what} (${(error as Error).message})`);
  }
  if (!label.test(text)) throw new ConfigError(variable, path, `a PEM file holding ${what}`);
  return text;
}

export function loadTlsCredentials(
  config: Pick<Config, 'tlsCert' | 'tlsKey' | 'dataDir'>,
): TlsCredentials | undefined {
  let source: TlsCredentials['source'] = 'QRFORGE_TLS_CERT';
  let certPath = config.tlsCert;
  let keyPath = config.tlsKey;
  if (!certPath && !keyPath) {
    const files = tlsFiles(config.dataDir);
    if (!existsSync(files.cert) || !existsSync(files.key)) return undefined;
    [certPath, keyPath, source] = [files.cert, files.key, 'qrforge tls init'];
  }
  if (!certPath)
    throw new ConfigError('QRFORGE_TLS_CERT', '', 'a certificate file, as QRFORGE_TLS_KEY is set');
  if (!keyPath)
    throw new ConfigError('QRFORGE_TLS_KEY', '', 'a private key file, as QRFORGE_TLS_CERT is set');
  const cert = readPem(
    'QRFORGE_TLS_CERT',
    certPath,
    /-----BEGIN CERTIFICATE-----/,
    'a certificate',
  );
  const key = readPem(
    'QRFORGE_TLS_KEY',
    keyPath,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    'a private key',
  );
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      'QRFORGE_TLS_KEY',
      keyPath,
      `the private key of the certificate in ${certPath} (${(error as Error).message})`,
    );
  }
  return { cert, key, source };
}
