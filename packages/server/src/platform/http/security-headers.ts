/**
 * Security headers (helmet's set: CSP, HSTS, nosniff, frame and referrer policies, …) computed
 * once at start and copied onto every response, in one of two sets chosen by how the request
 * arrived:
 *
 * - through a trusted proxy saying `X-Forwarded-Proto: https` (QRFORGE_TRUST_PROXY): the full
 *   set, with HSTS and CSP's `upgrade-insecure-requests`;
 * - over our own HTTPS listener (QRFORGE_TLS_PORT, beside plain HTTP on PORT): CSP upgrades, but
 *   no HSTS. HSTS binds a host name on every port (RFC 6797 §8.3): after one visit to
 *   https://qrforge.lan:8443 the browser would turn http://qrforge.lan:8000 into https on 8000,
 *   where nothing speaks TLS. Behind a proxy, the operator owns the standard ports and HSTS is right;
 * - over plain HTTP: neither. A browser that opens `http://qrforge.lan:8000/` would otherwise
 *   rewrite every asset URL to https and show a blank page (only localhost is spared, because
 *   browsers count it as secure); RFC 6797 §7.2 also says HSTS must not be sent over plain HTTP.
 *   Nor Cross-Origin-Opener-Policy, which browsers ignore there with a console error.
 *
 * Why not @fastify/helmet: it builds a new helmet middleware, re-parsing the CSP directives, on
 * every request — 4 % of the server's CPU time under load in a profile of POST /generate
 * (bench/http.bench.js). The headers never vary per request here (no CSP nonces), so they are
 * computed once with helmet itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { TrustProxy } from './client-ip.js';

/** The headers whose value depends on the transport; paths answered before Fastify add them. */
export const TRANSPORT_HEADERS = new Set([
  'strict-transport-security',
  'content-security-policy',
  'cross-origin-opener-policy',
]);

function computeHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | string[]) =>
      void (headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** How the request reached us: plain HTTP, our own TLS listener, or a trusted proxy's https. */
export function transportOf(
  request: IncomingMessage,
  trust: TrustProxy | false,
): 'plain' | 'tls' | 'proxied-tls' {
  if (trust && trust(request.socket.remoteAddress ?? '', 0)) {
    const forwarded = request.headers['x-forwarded-proto'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first?.toLowerCase() === 'https') return 'proxied-tls';
  }
  return (request.socket as TLSSocket | undefined)?.encrypted ? 'tls' : 'plain';
}

type Transport = ReturnType<typeof transportOf>;

export class SecurityHeaders {
  private readonly sets: Record<Transport, Record<string, string>>;
  /** The transport-dependent headers of each set, in writeHead's flat form. */
  private readonly flat: Record<Transport, string[]>;

  constructor(
    /** CSP directives beyond helmet's defaults. */
    directives: Record<string, string[]>,
    private readonly trust: TrustProxy | false,
  ) {
    this.sets = {
      'proxied-tls': computeHeaders({ contentSecurityPolicy: { directives } }),
      tls: computeHeaders({
        strictTransportSecurity: false,
        contentSecurityPolicy: { directives },
      }),
      plain: computeHeaders({
        strictTransportSecurity: false,
        // Browsers ignore COOP on an untrustworthy origin and say so in the console.
        crossOriginOpenerPolicy: false,
        contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } },
      }),
    };
    const transport = (headers: Record<string, string>) =>
      Object.entries(headers)
        .filter(([name]) => TRANSPORT_HEADERS.has(name))
        .flat();
    this.flat = {
      'proxied-tls': transport(this.sets['proxied-tls']),
      tls: transport(this.sets.tls),
      plain: transport(this.sets.plain),
    };
  }

  /** Every security header for this request. */
  for(request: IncomingMessage): Record<string, string> {
    return this.sets[transportOf(request, this.trust)];
  }

  /** The transport-dependent ones, in writeHead's flat [name, value, …] form. */
  transportFor(request: IncomingMessage): string[] {
    return this.flat[transportOf(request, this.trust)];
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      reply.headers(this.for(request.raw));
    });
  }
}
