/**
 * Text PostgreSQL cannot store as sent: U+0000 fails the query (the caller got a 500: found by the
 * hostile-input corpus, a UID of "A%00B" in the path), and a lone UTF-16 surrogate is silently
 * turned into U+FFFD (the data changed without a word). Both are refused here, for every route at
 * once, before the guard and the schema: 400 naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MESSAGE = 'must not contain NUL (U+0000) or an unpaired surrogate';

/** The path of the first string (or key) that cannot be stored, or undefined. */
export function unstorableAt(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (!value || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return `${path}.${JSON.stringify(key).slice(1, -1)}`;
    const found = unstorableAt(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function refuseUnstorableText(server: FastifyInstance): void {
  server.addHook('preValidation', async (request) => {
    const field =
      unstorableAt(request.params, 'params') ??
      unstorableAt(request.query, 'querystring') ??
      unstorableAt(request.body, 'body');
    if (field)
      throw new AppError('VALIDATION_ERR_REQUEST', `${field} ${MESSAGE}`, {
        errors: [{ field, message: MESSAGE }],
      });
  });
}
