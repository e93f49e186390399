/**
 * One content-type policy: a route takes the body types its schema declares — `body.content`'s
 * media types, else `consumes`, else JSON — and answers any other 415 naming what it takes.
 * Without it, a parser one module registered (form bodies for the public warranty form, multipart
 * for uploads) was accepted by every route of that module and failed later as a vaguer 400 (found
 * by the contract probe, resilience/contract-probe.test.ts). Added per route at registration, so
 * requests to routes without a body schema pay nothing.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../../errors.js';

interface BodyDeclaration {
  body?: { content?: Record<string, unknown> };
  consumes?: string[];
}

/** The media types a route's schema says its body may be, or undefined when it takes none. */
export function declaredBodyTypes(schema: BodyDeclaration | undefined): string[] | undefined {
  if (!schema?.body) return undefined;
  if (schema.body.content) return Object.keys(schema.body.content);
  return schema.consumes?.length ? schema.consumes : ['application/json'];
}

export function refuseUndeclaredBodyTypes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const declared = declaredBodyTypes(route.schema as BodyDeclaration | undefined);
    if (!declared) return;
    const check = async (request: FastifyRequest) => {
      const header = request.headers['content-type'];
      if (!header) return; // no body, or Fastify's own 415 for a body without a type
      const type = header.split(';')[0].trim().toLowerCase();
      if (declared.includes(type)) return;
      throw new AppError(
        'HTTP_ERR_UNSUPPORTED_MEDIA_TYPE',
        `This route takes ${declared.join(' or ')}, not ${JSON.stringify(type.slice(0, 100))}`,
      );
    };
    // After the route's own preValidation hooks (the auth guard: 401/403 come first, as for
    // any other refusal of a caller), before the body is validated. A multipart body is not read
    // by then (its parts are read in the handler); a JSON one is parsed, within the body limit.
    const existing = route.preValidation;
    route.preValidation = existing ? [...[existing].flat(), check] : [check];
  });
}
