/**
 * `qrforge tls init`: a certificate authority of this installation and a server certificate for
 * the machine's names and addresses, so phones on the LAN reach QR Forge over HTTPS — the camera
 * page needs a secure context, which browsers grant only to https and localhost. Made with
 * @peculiar/x509 on Node's WebCrypto (ECDSA P-256, SHA-256: what iOS and Android accept).
 *
 * The CA is kept and reused on later runs (a phone that trusts it keeps trusting the new server
 * certificate); the server certificate is re-issued with the names given, valid 397 days (Apple's
 * limit for TLS server certificates is 398, Chrome's 398 for public CAs). Loaded by that command
 * only (main.ts imports it when asked): serving needs just the files (files.ts).
 */
// @peculiar/x509 resolves its ASN.1 schemas with tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as x509 from '@peculiar/x509';
import { machineNames, tlsFiles, type TlsFiles } from './files.js';

type CryptoKey = webcrypto.CryptoKey;

// Node's WebCrypto is the standard one; its typings differ from the DOM's in details only.
x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALGORITHM, true, [
    'sign',
  ]);
}

function writeSecret(path: string, text: string) {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function loadOrCreateCa(
  files: TlsFiles,
): Promise<{ cert: x509.X509Certificate; key: CryptoKey; created: boolean }> {
  if (existsSync(files.ca) && existsSync(files.caKey))
    return {
      cert: new x509.X509Certificate(readFileSync(files.ca, 'utf8')),
      key: await importKey(readFileSync(files.caKey, 'utf8')),
      created: false,
    };
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=QR Forge local CA (${hostname()}), O=QR Forge`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 10 * 365 * DAY),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(files.ca, cert.toString('pem') + '\n');
  writeSecret(files.caKey, await exportKey(keys.privateKey));
  return { cert, key: keys.privateKey, created: true };
}

export interface TlsInitResult {
  files: TlsFiles;
  names: string[];
  caCreated: boolean;
  fingerprint: string;
  notAfter: Date;
}

/** Makes (or reuses) the CA and issues a server certificate for `names`. */
export async function initLocalTls(
  dataDir: string,
  names = machineNames(),
): Promise<TlsInitResult> {
  const files = tlsFiles(dataDir);
  mkdirSync(files.dir, { recursive: true });
  const ca = await loadOrCreateCa(files);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const notAfter = new Date(now + 397 * DAY);
  const isIp = (name: string) => /^[\d.]+$/.test(name) || name.includes(':');
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names.find((n) => !isIp(n) && n !== 'localhost') ?? names[0]}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIp(value) ? ('ip' as const) : ('dns' as const), value })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  // The chain a client needs: the server certificate, then the CA's.
  writeFileSync(files.cert, `${cert.toString('pem')}\n${ca.cert.toString('pem')}\n`);
  writeSecret(files.key, await exportKey(keys.privateKey));
  const fingerprint = Buffer.from(await ca.cert.getThumbprint('SHA-256'))
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
  return { files, names, caCreated: ca.created, fingerprint, notAfter };
}
