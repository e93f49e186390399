/**
 * Security headers (helmet's set: CSP, HSTS, nosniff, frame and referrer policies, …) computed
 * once at start and copied onto every response.
 *
 * Why not @fastify/helmet: it builds a new helmet middleware, re-parsing the CSP directives, on
 * every request — 4 % of the server's CPU time under load in a profile of POST /generate
 * (bench/http.bench.js). The headers never vary per request here (no CSP nonces), so they are
 * computed once with helmet itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | string[]) =>
      void (headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
}
