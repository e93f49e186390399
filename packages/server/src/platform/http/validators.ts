/**
 * Request validation with Fastify's own Ajv compiler, in two configurations: query strings,
 * params and headers are text and are coerced to the schema's types (`?limit=10`), while JSON
 * bodies are not, so `"count": "1e3"` is refused instead of quietly becoming 1,000 items (the
 * reliability suite found it: resilience/limits.test.ts).
 *
 * Two more rules, found by the contract probe (resilience/contract-probe.test.ts):
 * - Ajv coerces `?limit=1e999` to Infinity and lets it through `maximum`; the database then
 *   refused it (a 500). A coerced part holding a non-finite number is refused here.
 * - A multipart body is read part by part by its route (platform/http/multipart.ts); its schema
 *   documents the parts for the OpenAPI document and is not run against the parsed body.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js';

/** What the pool really returns (its typings describe a plain Ajv compile). */
type RouteCompiler = (route: FastifyRouteSchemaDef<unknown>) => FastifyValidationResult;
type Pool = (external: Record<string, unknown>, options: Record<string, unknown>) => RouteCompiler;
type Validate = FastifyValidationResult & { errors?: unknown };

const pool = AjvCompiler() as unknown as Pool;

const passThrough: FastifyValidationResult = (data: unknown) => ({ value: data });

/** The path of the first non-finite number in a coerced part (flat, or arrays of values). */
function nonFinite(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data))
    for (const one of Array.isArray(value) ? value : [value])
      if (typeof one === 'number' && !Number.isFinite(one)) return `/${key}`;
  return undefined;
}

function refusingInfinity(validate: Validate): FastifyValidationResult {
  const wrapped = ((data: unknown) => {
    if (!validate(data)) {
      wrapped.errors = validate.errors;
      return false;
    }
    const path = nonFinite(data);
    if (path === undefined) return true;
    wrapped.errors = [
      {
        instancePath: path,
        schemaPath: '#/type',
        keyword: 'type',
        params: {},
        message: 'must be a finite number',
      },
    ];
    return false;
  }) as Validate;
  return wrapped;
}

export function buildValidator(
  external: Record<string, unknown>,
  options: { customOptions?: Record<string, unknown> } & Record<string, unknown>,
): RouteCompiler {
  const coercing = pool(external, options);
  const strict = pool(external, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  });
  return (route) => {
    if (route.httpPart !== 'body') return refusingInfinity(coercing(route) as Validate);
    if ((route as { contentType?: string }).contentType?.startsWith('multipart/'))
      return passThrough;
    return strict(route);
  };
}
