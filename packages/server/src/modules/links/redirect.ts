/**
 * A dynamic code's redirect, shared by the route (`GET /q/<slug>`) and its fast path. The fast
 * path answers a scan before Fastify's pipeline when the code is in the lookup cache and the
 * answer is a redirect, with the headers the route's own redirects carry (learnt from the first
 * one), the same rate limit, scan event and metrics; anything else — a cache miss, a switched-off
 * or expired code, an Origin header, the first scan — goes to the route.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem } from '../../errors.js';
import { TRANSPORT_HEADERS } from '../../platform/http/security-headers.js';
import type { WindowLimiter } from '../../platform/http/window-limiter.js';
import type { DynamicCodes, DynamicCode } from './codes.js';
import { resolve, scheduleOf, type Resolution, type RoutingRule } from './rules.js';
import type { ScanLog } from './scan-log.js';
import type { VisitorReader } from './visitor.js';

export interface RedirectDeps {
  codes: DynamicCodes;
  scans: ScanLog;
  visitors: VisitorReader;
  limiter: WindowLimiter;
  /** The client's address (behind trusted proxies, from X-Forwarded-For: QRFORGE_TRUST_PROXY). */
  clientIp(request: IncomingMessage): string;
  /** Counts a resolution in the module's metrics. */
  count(result: string, seconds: number): void;
  recordRequest?(method: string, handler: string, status: number, seconds: number): void;
  /** HSTS and CSP for this request's transport (learnt headers leave them out). */
  transportHeaders?(request: IncomingMessage): string[];
}

/** Resolves a scan of a code and queues its scan event. */
export function resolveScan(
  deps: RedirectDeps,
  code: DynamicCode,
  headers: IncomingMessage['headers'],
  ip: string,
  now: Date,
): Resolution {
  const visitor = deps.visitors.read(headers, ip, now);
  const resolution = resolve({ ...code, rules: code.rules as RoutingRule[] }, visitor, now);
  deps.scans.add({
    tenantId: code.tenantId,
    at: now,
    codeId: code.id,
    result: resolution.result,
    target: resolution.result === 'redirected' ? resolution.target : null,
    ...visitor,
  });
  return resolution;
}

/** Headers of one answer only, never replayed. */
const PER_ANSWER = new Set([
  'date',
  'connection',
  'keep-alive',
  'x-request-id',
  'location',
  'content-length',
  'transfer-encoding',
]);

export class RedirectFastPath {
  private headers?: string[];

  constructor(private readonly deps: RedirectDeps) {}

  /** Learns the headers of a redirect the route sent (security headers and the like). */
  learn(headers: Record<string, string | number | string[] | undefined>) {
    if (this.headers) return;
    const flat: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || PER_ANSWER.has(name) || TRANSPORT_HEADERS.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [value]) flat.push(name, String(one));
    }
    this.headers = flat;
  }

  serve = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = request.url;
    if (
      !this.headers ||
      request.method !== 'GET' ||
      !url?.startsWith('/q/') ||
      request.headers.origin !== undefined
    )
      return false;
    const end = url.indexOf('?');
    const code = this.deps.codes.cached(url.slice(3, end === -1 ? undefined : end));
    if (!code) return false;
    const started = process.hrtime.bigint();
    const now = new Date();
    const ip = this.deps.clientIp(request);
    const id = request.headers['x-request-id'];
    const requestId = typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id) ? id : randomUUID();
    const wait = this.deps.limiter.take(ip, now.getTime());
    if (wait) {
      const body = JSON.stringify(
        problem(
          'HTTP_ERR_RATE_LIMITED',
          `Too many scans from this address; retry in ${wait} s`,
          requestId,
        ),
      );
      response.writeHead(429, [
        ...this.headers,
        ...(this.deps.transportHeaders?.(request) ?? []),
        'content-type',
        'application/problem+json; charset=utf-8',
        'retry-after',
        String(wait),
        'x-request-id',
        requestId,
      ]);
      response.end(body);
      this.deps.recordRequest?.('GET', '/q/:slug', 429, 0);
      return true;
    }
    // Only redirects are answered here; the pages for other outcomes come from the route.
    if (scheduleOf(code, now) !== 'active') return false;
    const resolution = resolveScan(this.deps, code, request.headers, ip, now);
    if (resolution.result !== 'redirected') return false;
    response.writeHead(302, [
      ...this.headers,
      ...(this.deps.transportHeaders?.(request) ?? []),
      'location',
      resolution.target,
      'content-length',
      '0',
      'x-request-id',
      requestId,
    ]);
    response.end();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.deps.count('redirected', seconds);
    this.deps.recordRequest?.('GET', '/q/:slug', 302, seconds);
    return true;
  };
}
