/**
 * Fast paths: request handlers a module puts before Fastify's pipeline (routing, hooks, logging),
 * for the few public answers where the pipeline is most of the cost — a dynamic code's redirect
 * spends about four fifths of its time there (bench/links.bench.js). A fast path answers only
 * what it can answer exactly as the route would (else it returns false and the request goes the
 * normal way), sends the headers the route's own answers carry, and records the request metrics.
 * Shut off at shutdown, like the hot cache, so draining goes through the normal path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecurityHeaders } from './security-headers.js';

export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

export class FastPaths {
  private readonly paths: FastPath[] = [];
  private enabled = true;

  /** HSTS and CSP, which depend on the request's transport, for the paths to add per answer. */
  constructor(readonly securityHeaders?: SecurityHeaders) {}

  add(path: FastPath): void {
    this.paths.push(path);
  }

  disable(): void {
    this.enabled = false;
  }

  serve(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.enabled) return false;
    for (const path of this.paths) if (path(request, response)) return true;
    return false;
  }
}
