/**
 * What makes the generated OpenAPI document a contract a client can use, added in one place rather
 * than on 150 routes by hand:
 *
 * - `security` on every operation, read from the route's guard (guard.ts tags its hooks): bearer
 *   or API key for role-guarded routes, bearer for account routes, none for public ones, and "any
 *   or none" for the anonymous-or-signed-in routes (the seed's `/generate`). Swagger UI's
 *   Authorize and generated clients rely on it.
 * - A description on every operation: the summary, and who may call it (the role it needs).
 * - Errors as `application/problem+json` with the shared `Problem` schema (Fastify's swagger
 *   writes `application/json` and inlines the schema).
 * - An `operationId` per operation, from its method and path (`getInventoryItemsByUid`); the
 *   seed-compatible routes outside /api/v1 get a `Seed` suffix where a name would repeat.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { accessOf, type Access } from '../auth/guard.js';

type Json = Record<string, unknown>;
type Operation = Json & {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  responses?: Record<string, Json & { content?: Record<string, { schema?: Json }> }>;
};

const SECURITY: Record<Access['kind'], Json[]> = {
  role: [{ bearer: [] }, { apiKey: [] }],
  user: [{ bearer: [] }],
  optional: [{}, { bearer: [] }, { apiKey: [] }],
};

function accessSentence(access: Access | undefined): string {
  if (!access) return 'Public: no credentials needed.';
  if (access.kind === 'role')
    return `Needs the ${access.role} role or higher (bearer token or API key).`;
  if (access.kind === 'user') return 'Needs a signed-in user (bearer token).';
  return 'Open to everyone; with credentials, the work is kept in your tenant.';
}

const described = new WeakSet<object>();

/** onRoute: security and description from the route's guard (registered before the routes). */
export function declareRouteAccess(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as
      (Json & { hide?: boolean; summary?: string; description?: string }) | undefined;
    // A schema object can serve several routes (GET's implicit HEAD, a path with and without a
    // prefix): described once.
    if (!schema || schema.hide || described.has(schema)) return;
    described.add(schema);
    const hooks = [route.preValidation ?? [], route.preHandler ?? [], route.onRequest ?? []].flat();
    const access = hooks.map((hook) => accessOf(hook)).find(Boolean);
    schema.security = access ? SECURITY[access.kind] : [];
    const summary = schema.summary ? `${schema.summary.replace(/\.$/, '')}.` : '';
    schema.description = [schema.description ?? summary, accessSentence(access)]
      .filter(Boolean)
      .join('\n\n');
  });
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const pascal = (word: string) =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

/** `get /api/v1/inventory/items/{uid}` -> `getInventoryItemsByUid`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? `By${pascal(param[1])}` : pascal(segment);
    });
  return `${method}${words.join('') || 'Root'}`;
}

const isProblem = (schema: Json | undefined) =>
  Array.isArray(schema?.required) &&
  (schema.required as string[]).includes('code') &&
  (schema.required as string[]).includes('requestId');

/** transformObject: the document-wide rules above. */
export function completeContract(document: Json): Json {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const components = document.components as { schemas?: Record<string, Json> };
  // Fastify's swagger names shared schemas def-N; ours has a name.
  for (const [name, schema] of Object.entries(components.schemas ?? {}))
    if (name.startsWith('def-') && isProblem(schema)) {
      delete components.schemas![name];
      components.schemas!.Problem = { ...schema };
      delete components.schemas!.Problem.title;
    }
  const taken = new Set<string>();
  // /api/v1 first, so the seed-compatible routes are the ones that take a suffix.
  const ordered = Object.keys(paths).sort(
    (a, b) => Number(!a.startsWith('/api/')) - Number(!b.startsWith('/api/')),
  );
  for (const path of ordered)
    for (const [method, operation] of Object.entries(paths[path])) {
      if (!METHODS.includes(method)) continue;
      let id = operation.operationId ?? operationIdOf(method, path);
      if (taken.has(id)) id = `${id}Seed`;
      for (let n = 2; taken.has(id); n++) id = `${operationIdOf(method, path)}${n}`;
      taken.add(id);
      operation.operationId = id;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[45]/.test(status) || !response.content) continue;
        const json = response.content['application/json'];
        const problem = response.content['application/problem+json'] ?? json;
        if (!problem || !isProblem(problem.schema)) continue;
        delete response.content['application/json'];
        response.content['application/problem+json'] = {
          schema: { $ref: '#/components/schemas/Problem' },
        };
        if (response.description === 'Default Response')
          response.description = 'Problem details (RFC 9457): `code` says which, `detail` why';
      }
    }
  return document;
}
