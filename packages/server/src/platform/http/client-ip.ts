/**
 * Which proxies to believe about the client's address (QRFORGE_TRUST_PROXY), compiled once and
 * shared by Fastify (`request.ip`, `request.protocol`, `request.host`) and the paths answered
 * before it (the dynamic-code fast path), so rate limits and visitor keys see the same client.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * `false` (default): the socket's peer is the client. `true`: every hop is trusted (only behind a
 * proxy that overwrites X-Forwarded-For). Else a comma list of addresses, CIDRs or the keywords
 * loopback, linklocal, uniquelocal: the proxies to believe.
 */
export function trustProxy(setting: string): TrustProxy | false {
  const value = setting.trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return () => true;
  return proxyAddr.compile(value.split(',').map((part) => part.trim()));
}

export function clientIp(request: IncomingMessage, trust: TrustProxy | false): string {
  return trust ? proxyAddr(request, trust) : (request.socket.remoteAddress ?? '');
}
