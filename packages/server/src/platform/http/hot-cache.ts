/**
 * The hot cache: answers that are public, immutable and signed — a signed render URL — kept
 * ready to write, by raw URL, and served before Fastify's pipeline (routing, hooks, rate limit).
 *
 * Why: a repeated signed render spent 59 % of its time in the platform's per-request pipeline;
 * the bytes themselves allow 52 % of a bare route's requests/s, the full pipeline 21 %
 * (bench/http.bench.js). A hit here is what a CDN edge would answer without reaching us at all,
 * so it skips what a CDN would: the rate limit (a hit costs less than the limiter) and logging.
 * It keeps what matters: the exact headers of the first answer (security headers included), a
 * fresh request ID, the expiry (an expired URL goes to the slow path, which refuses it), ETag
 * revalidation (304), and the request metrics. Requests with an Origin header take the slow path
 * (CORS is decided there).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { TRANSPORT_HEADERS, type SecurityHeaders } from './security-headers.js';

export interface HotEntry {
  /** Route pattern, for the request metrics. */
  handler: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  etag: string;
  /** Unix ms: after this the URL's signature has expired. */
  expiresAt: number;
  /** Counts the answer in the module's own metrics (cache hits, codes generated). */
  onHit(): void;
}

/** Headers that belong to one answer, not to the resource. */
const PER_ANSWER = new Set([
  'date',
  'connection',
  'keep-alive',
  'x-request-id',
  'transfer-encoding',
]);

/** An entry with its headers flattened once into writeHead's [name, value, …] form. */
type Kept = HotEntry & { flat: string[] };

export class HotCache {
  private readonly entries = new Map<string, Kept>();
  private bytes = 0;
  private enabled = true;

  constructor(
    private readonly maxBytes: number,
    private readonly recordRequest?: (
      method: string,
      handler: string,
      status: number,
      seconds: number,
    ) => void,
    /** HSTS and CSP depend on the request's transport: added per answer, not kept. */
    private readonly securityHeaders?: SecurityHeaders,
  ) {}

  /** Keeps an answer for `url`; headers that vary per answer are dropped. */
  remember(url: string, entry: HotEntry): void {
    if (!this.enabled || entry.body.length > this.maxBytes / 64 || this.entries.has(url)) return;
    const flat: string[] = [];
    for (const [name, value] of Object.entries(entry.headers)) {
      if (value === undefined || PER_ANSWER.has(name) || TRANSPORT_HEADERS.has(name)) continue;
      if (name.startsWith('x-ratelimit-')) continue;
      if (name === 'cache-control') continue; // recomputed per answer from the expiry
      for (const one of Array.isArray(value) ? value : [value]) flat.push(name, String(one));
    }
    this.entries.set(url, { ...entry, flat });
    this.bytes += entry.body.length + url.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.body.length + oldest.length;
    }
  }

  /** Stops answering (graceful shutdown: every request goes through the draining logic). */
  disable(): void {
    this.enabled = false;
    this.entries.clear();
    this.bytes = 0;
  }

  /** Answers the request when it is a hit; false leaves it to Fastify. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.enabled || request.method !== 'GET' || request.headers.origin !== undefined)
      return false;
    const entry = this.entries.get(request.url ?? '');
    if (!entry) return false;
    const now = Date.now();
    if (entry.expiresAt <= now) {
      this.entries.delete(request.url!);
      this.bytes -= entry.body.length + request.url!.length;
      return false;
    }
    const started = process.hrtime.bigint();
    const id = request.headers['x-request-id'];
    const requestId = typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id) ? id : randomUUID();
    const maxAge = Math.min(86_400, Math.floor((entry.expiresAt - now) / 1000));
    const cacheControl = `public, max-age=${maxAge}, immutable`;
    const revalidated = request.headers['if-none-match']?.split(/\s*,\s*/).includes(entry.etag);
    if (revalidated) {
      response.writeHead(304, {
        etag: entry.etag,
        'cache-control': cacheControl,
        'x-request-id': requestId,
      });
      response.end();
    } else {
      response.writeHead(200, [
        ...entry.flat,
        ...(this.securityHeaders?.transportFor(request) ?? []),
        'cache-control',
        cacheControl,
        'x-request-id',
        requestId,
      ]);
      response.end(entry.body);
      entry.onHit();
    }
    this.recordRequest?.(
      'GET',
      entry.handler,
      revalidated ? 304 : 200,
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    return true;
  }
}
