/**
 * Idempotency-Key on POST and PATCH (IETF draft-ietf-httpapi-idempotency-key-header, as Stripe
 * and others do it): a client that lost the answer retries with the same key and gets the first
 * answer again, marked `Idempotent-Replayed: true`, instead of a second batch, lot or job.
 *
 * - The key is the tenant's: the same key from two tenants is two requests.
 * - The first request claims the key with an insert (the primary key decides between concurrent
 *   copies); a copy that arrives while it runs gets 409 with Retry-After, never a second write.
 * - The same key with another method, path or body is a client bug: 422, nothing done.
 * - Server errors and transient refusals (401, 403, 408, 409, 429) are not kept, so a retry runs
 *   again; everything else is kept for QRFORGE_IDEMPOTENCY_TTL_HOURS.
 * Requests without a key, or without a tenant (sign-in, public pages), are untouched.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import type { Database } from '../db/database.js';
import { idempotencyKeys } from '../db/schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while this request holds an Idempotency-Key claim. */
    idempotencyClaim?: { tenantId: string; key: string };
  }
}

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Answers a retry should not get back: they may well change by the next try. */
const TRANSIENT = new Set([401, 403, 408, 409, 429]);
const PURGE_EVERY_MS = 3_600_000;

export function idempotencyKeysPlugin(
  server: FastifyInstance,
  db: Database,
  options: { ttlHours: number },
): void {
  const ttlMs = options.ttlHours * 3_600_000;
  let purgedAt = 0;

  server.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || !request.principal) return;
    if (request.method !== 'POST' && request.method !== 'PATCH') return;
    if (typeof key !== 'string' || !KEY.test(key))
      throw new AppError(
        'VALIDATION_ERR_REQUEST',
        'Idempotency-Key must be 1-255 visible ASCII characters',
        {
          errors: [
            { field: 'header.idempotency-key', message: 'must be 1-255 visible ASCII characters' },
          ],
        },
      );
    const { tenantId } = request.principal;
    const expired = new Date(Date.now() - ttlMs);
    if (Date.now() - purgedAt > PURGE_EVERY_MS) {
      purgedAt = Date.now();
      await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expired));
    }
    const mine = and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key));
    await db.delete(idempotencyKeys).where(and(mine, lt(idempotencyKeys.createdAt, expired)));
    const print = fingerprint(request);
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ tenantId, key, fingerprint: print })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length) {
      request.idempotencyClaim = { tenantId, key };
      return;
    }
    const [first] = await db.select().from(idempotencyKeys).where(mine);
    if (first && first.fingerprint !== print)
      throw new AppError(
        'IDEMPOTENCY_ERR_KEY_REUSED',
        `Idempotency-Key "${key}" was first sent with another request; use a new key for a new request`,
      );
    if (!first || first.status === null) {
      reply.header('retry-after', '1');
      throw new AppError(
        'IDEMPOTENCY_ERR_IN_PROGRESS',
        `The first request with Idempotency-Key "${key}" is still being handled`,
      );
    }
    reply.code(first.status).header('idempotent-replayed', 'true');
    if (first.contentType) reply.header('content-type', first.contentType);
    return reply.send(first.body);
  });

  // Keep the answer (or let the key go) once it is known.
  server.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    // A failed save must not fail the answer: the key is let go, so a retry runs again.
    await settle(db, claim, reply, payload).catch(() => release(db, claim).catch(() => undefined));
    return payload;
  });
  // A request that never reached onSend (the client went away, a hook threw) frees its key.
  server.addHook('onResponse', async (request) => {
    const claim = request.idempotencyClaim;
    if (claim) await release(db, claim).catch(() => undefined);
  });
}

async function settle(
  db: Database,
  claim: { tenantId: string; key: string },
  reply: FastifyReply,
  payload: unknown,
): Promise<void> {
  const status = reply.statusCode;
  const keepable = typeof payload === 'string' || Buffer.isBuffer(payload) || payload == null;
  if (status >= 500 || TRANSIENT.has(status) || !keepable) return release(db, claim);
  const contentType = reply.getHeader('content-type');
  await db
    .update(idempotencyKeys)
    .set({
      status,
      contentType: typeof contentType === 'string' ? contentType : null,
      body: payload == null ? '' : payload.toString(),
    })
    .where(and(eq(idempotencyKeys.tenantId, claim.tenantId), eq(idempotencyKeys.key, claim.key)));
}

async function release(db: Database, claim: { tenantId: string; key: string }): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.tenantId, claim.tenantId), eq(idempotencyKeys.key, claim.key)));
}

/**
 * Method, path and body. Multipart bodies are read by the handler, after this runs: their length
 * and type stand in for them.
 */
function fingerprint(request: FastifyRequest): string {
  const body =
    request.body === undefined
      ? `${request.headers['content-type'] ?? ''};${request.headers['content-length'] ?? ''}`
      : JSON.stringify(request.body);
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${body}`)
    .digest('base64url');
}
