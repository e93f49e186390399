/**
 * Every error leaves as RFC 9457 problem+json from the catalogue (errors.ts): validation errors
 * name each field, Fastify's own errors keep their status, QR engine errors become 422, anything
 * unknown becomes a generic 500 whose stack goes to the log, never to the client.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { isUnavailable } from './unavailable.js';
import { AppError, bounded, ERROR_CATALOGUE, problem, type ErrorCode } from '../../errors.js';

interface FieldError {
  field: string;
  message: string;
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERR_REQUEST',
  401: 'AUTH_ERR_UNAUTHENTICATED',
  403: 'AUTH_ERR_FORBIDDEN',
  404: 'HTTP_ERR_NOT_FOUND',
  405: 'HTTP_ERR_METHOD_NOT_ALLOWED',
  408: 'HTTP_ERR_TIMEOUT',
  413: 'HTTP_ERR_BODY_TOO_LARGE',
  415: 'HTTP_ERR_UNSUPPORTED_MEDIA_TYPE',
  429: 'HTTP_ERR_RATE_LIMITED',
  503: 'SERVER_ERR_UNAVAILABLE',
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(ERROR_CATALOGUE[code].status)
    .type('application/problem+json')
    .send(problem(code, detail, request.id, extra));
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      // Every 429 says when to come back; a route that knows better sets the header itself.
      if (error.status === 429 && !reply.hasHeader('retry-after'))
        reply.header('retry-after', '10');
      return sendProblem(reply, request, error.code, error.detail, error.extra);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const context = fastifyError.validationContext ?? 'body';
      const errors: FieldError[] = fastifyError.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        const extraField =
          (v.params as { additionalProperty?: string; missingProperty?: string } | undefined) ?? {};
        if (v.keyword === 'discriminator') {
          // A tagged union (e.g. payload.type) with an unknown or missing tag.
          const { tag, tagValue } = v.params as { tag: string; tagValue?: unknown };
          return {
            field: [context, path, tag].filter(Boolean).join('.'),
            message:
              tagValue === undefined
                ? 'is required'
                : `${JSON.stringify(tagValue)} is not one of the documented values`,
          };
        }
        const leaf = extraField.additionalProperty ?? extraField.missingProperty;
        const field = bounded([context, path, leaf].filter(Boolean).join('.'));
        return {
          field,
          message:
            leaf && extraField.additionalProperty
              ? 'is not an allowed field'
              : (v.message ?? 'is invalid'),
        };
      });
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return sendProblem(reply, request, 'VALIDATION_ERR_REQUEST', detail, { errors });
    }
    const engineCode = (error as { code?: unknown }).code;
    if (engineCode === 'QR_ERR_ARGUMENT' || engineCode === 'QR_ERR_CAPACITY') {
      return sendProblem(reply, request, engineCode, error.message);
    }
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendProblem(
        reply,
        request,
        BY_STATUS[status] ?? 'VALIDATION_ERR_REQUEST',
        error.message,
      );
    }
    if (status === 503) return sendProblem(reply, request, 'SERVER_ERR_UNAVAILABLE', error.message);
    if (isUnavailable(error)) {
      request.log.warn({ err: error }, 'a dependency is unreachable');
      reply.header('retry-after', '5');
      return sendProblem(
        reply,
        request,
        'SERVER_ERR_UNAVAILABLE',
        'A service this request needs is unreachable for the moment; retry shortly.',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      request,
      'SERVER_ERR_INTERNAL',
      'An internal error occurred; the request ID identifies it in the logs.',
    );
  });
}

/** 404 for unknown routes; rate-limited like the rest (scanners probe unknown paths). */
export function registerNotFound(
  app: FastifyInstance,
  preHandler?: preHandlerAsyncHookHandler,
  /** Answers instead when it returns true (the web page's own routes). */
  fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.setNotFoundHandler({ preHandler }, (request, reply) => {
    if (fallback?.(request, reply)) return reply;
    return sendProblem(
      reply,
      request,
      'HTTP_ERR_NOT_FOUND',
      `No route for ${request.method} ${bounded(request.url.split('?')[0])}`,
    );
  });
}
