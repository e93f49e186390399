/**
 * Request rate limits (OWASP API4): per credential — API key or access token — or else per client
 * IP, `max` requests per window. In memory by default; with REDIS_URL the counters live in Redis,
 * so every instance behind a load balancer shares them. Probes (/health, /ready, /metrics) are
 * never limited.
 */
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors.js';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  /** Shared store; undefined = this process's memory. */
  redis?: Redis;
}

const UNLIMITED = new Set(['/health', '/ready', '/metrics']);

/** Whose budget a request spends: a hash of its credential, so tokens never reach Redis or logs. */
export function rateLimitKey(request: FastifyRequest): string {
  const key = request.headers['x-api-key'];
  const auth = request.headers.authorization;
  const credential =
    typeof key === 'string' && key ? key : typeof auth === 'string' && auth ? auth : undefined;
  if (credential)
    return 'cred:' + createHash('sha256').update(credential).digest('base64url').slice(0, 22);
  return 'ip:' + request.ip;
}

export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  await app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? ''),
    ...(options.redis ? { redis: options.redis, nameSpace: 'qrforge-rl:' } : {}),
    // If Redis is unreachable, serve rather than fail every request; /ready reports the outage.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'HTTP_ERR_RATE_LIMITED',
        `Rate limit of ${context.max} requests per ${context.after} reached; retry after the Retry-After delay`,
      ),
  });
}
