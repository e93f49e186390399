/**
 * Security headers (helmet's set: CSP, HSTS, nosniff, frame and referrer policies, …) computed
 * once at start and copied onto every response, in one of two sets chosen by how the request
 * arrived:
 *
 * - over TLS (our own HTTPS listener, or a trusted proxy saying `X-Forwarded-Proto: https`): the
 *   full set, with HSTS and CSP's `upgrade-insecure-requests`;
 * - over plain HTTP: neither. A browser that opens `http://qrforge.lan:8000/` would otherwise
 *   rewrite every asset URL to https and show a blank page (only localhost is spared, because
 *   browsers count it as secure); RFC 6797 §7.2 also says HSTS must not be sent over plain HTTP.
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
export const TRANSPORT_HEADERS = new Set(['strict-transport-security', 'content-security-policy']);

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

/** True when the request came over TLS, to us or to a proxy we trust (QRFORGE_TRUST_PROXY). */
export function arrivedOverTls(request: IncomingMessage, trust: TrustProxy | false): boolean {
  if ((request.socket as TLSSocket).encrypted) return true;
  if (!trust || !trust(request.socket.remoteAddress ?? '', 0)) return false;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first?.toLowerCase() === 'https';
}

export class SecurityHeaders {
  private readonly secure: Record<string, string>;
  private readonly plain: Record<string, string>;
  private readonly secureTransport: string[];
  private readonly plainTransport: string[];

  constructor(
    /** CSP directives beyond helmet's defaults. */
    directives: Record<string, string[]>,
    private readonly trust: TrustProxy | false,
  ) {
    this.secure = computeHeaders({ contentSecurityPolicy: { directives } });
    this.plain = computeHeaders({
      strictTransportSecurity: false,
      contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } },
    });
    const transport = (headers: Record<string, string>) =>
      Object.entries(headers)
        .filter(([name]) => TRANSPORT_HEADERS.has(name))
        .flat();
    this.secureTransport = transport(this.secure);
    this.plainTransport = transport(this.plain);
  }

  /** Every security header for this request. */
  for(request: IncomingMessage): Record<string, string> {
    return arrivedOverTls(request, this.trust) ? this.secure : this.plain;
  }

  /** The transport-dependent ones, in writeHead's flat [name, value, …] form. */
  transportFor(request: IncomingMessage): string[] {
    return arrivedOverTls(request, this.trust) ? this.secureTransport : this.plainTransport;
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      reply.headers(this.for(request.raw));
    });
  }
}
