/**
 * Request validation with Fastify's own Ajv compiler, in two configurations: query strings,
 * params and headers are text and are coerced to the schema's types (`?limit=10`), while JSON
 * bodies are not, so `"count": "1e3"` is refused instead of quietly becoming 1,000 items (the
 * reliability suite found it: resilience/limits.test.ts).
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js';

/** What the pool really returns (its typings describe a plain Ajv compile). */
type RouteCompiler = (route: FastifyRouteSchemaDef<unknown>) => FastifyValidationResult;
type Pool = (external: Record<string, unknown>, options: Record<string, unknown>) => RouteCompiler;

const pool = AjvCompiler() as unknown as Pool;

export function buildValidator(
  external: Record<string, unknown>,
  options: { customOptions?: Record<string, unknown> } & Record<string, unknown>,
): RouteCompiler {
  const coercing = pool(external, options);
  const strict = pool(external, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  });
  return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
}
