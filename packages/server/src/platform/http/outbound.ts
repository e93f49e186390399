/**
 * Requests we make to addresses our users give us (webhook receivers): only http(s), no
 * credentials in the URL, and — unless QRFORGE_WEBHOOK_ALLOW_PRIVATE is set — only to public
 * addresses. The name is resolved once, every address checked, and the connection is made to the
 * checked address (so a DNS answer that changes between check and connect cannot reach inside:
 * DNS rebinding). Redirects are not followed; time and the bytes read back are bounded.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** Resolves every address of a name (node:dns by default; tests stub it). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface OutboundOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Bytes of the answer kept (the rest is not read). */
  maxResponseBytes: number;
  resolve?: Resolve;
}

export interface OutboundAnswer {
  status: number;
  body: string;
  ms: number;
}

/** The URL's form alone: scheme, no user:password, a host. Throws OutboundRefused. */
export function checkOutboundUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused(`${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundRefused(`Only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password)
    throw new OutboundRefused('The URL must not carry a user name or password');
  const host = bareHost(url.hostname);
  if (!allowPrivate && isIP(host)) assertPublic(host, host);
  if (!allowPrivate && /^localhost$|\.localhost$/i.test(host))
    throw new OutboundRefused(`${host} is this machine; only public addresses are allowed`);
  return url;
}

/** The address to connect to: the literal, or the name's first address once all are checked. */
export async function resolveOutbound(url: URL, options: OutboundOptions): Promise<LookupAddress> {
  const host = bareHost(url.hostname);
  const family = isIP(host);
  if (family) {
    if (!options.allowPrivate) assertPublic(host, host);
    return { address: host, family };
  }
  let addresses: LookupAddress[];
  try {
    addresses = await (options.resolve ?? systemResolve)(host);
  } catch (error) {
    throw new OutboundRefused(`${host} could not be resolved (${(error as Error).message})`);
  }
  if (!addresses.length) throw new OutboundRefused(`${host} has no address`);
  // Every address, not just the first: the system may connect to any of them.
  if (!options.allowPrivate) for (const a of addresses) assertPublic(a.address, host);
  return addresses[0];
}

/** POSTs `body`; resolves with the answer (any status), rejects on refusal, network error or time. */
export async function postOutbound(
  raw: string,
  headers: Record<string, string>,
  body: string,
  options: OutboundOptions,
): Promise<OutboundAnswer> {
  const url = checkOutboundUrl(raw, options.allowPrivate);
  const target = await resolveOutbound(url, options);
  // Connect to the checked address whatever the name resolves to by then.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const started = performance.now();
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      lookup: pinned,
      agent: false,
    });
    const timer = setTimeout(
      () => request.destroy(new Error(`No answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Math.round(performance.now() - started),
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (kept < options.maxResponseBytes) {
          chunks.push(chunk.subarray(0, options.maxResponseBytes - kept));
          kept += chunk.length;
        }
        if (kept >= options.maxResponseBytes) {
          response.destroy();
          finish();
        }
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    request.end(body);
  });
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/** Public unicast only: no loopback, private, link-local (cloud metadata), multicast, reserved. */
function assertPublic(address: string, host: string): void {
  const range = ipaddr.process(address).range();
  if (range !== 'unicast')
    throw new OutboundRefused(
      `${host}${host === address ? '' : ` resolves to ${address}, which`} is a ${range} address; only public addresses are allowed`,
    );
}
