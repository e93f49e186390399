/**
 * `Cache-Control: no-store` on every answer that carries a credential — a token, an API key, a
 * webhook secret — so no browser, proxy or CDN keeps a copy (OWASP ASVS 5.0 14.3.2). Which routes
 * is read from their response schemas when they are registered: a field named `…token`,
 * `…secret` or `key` (the resilience and OpenAPI tests read the same names from the published
 * document), so a new route that returns one is covered without remembering to.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

const SECRET_FIELD = /(token|secret)$|^key$/i;

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  content?: Record<string, { schema?: JsonSchema }>;
}

/** The names of credential-like fields anywhere in a (response) schema. */
export function secretFields(schema: JsonSchema | undefined, depth = 0): string[] {
  if (!schema || typeof schema !== 'object' || depth > 8) return [];
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (SECRET_FIELD.test(name)) found.push(name);
    found.push(...secretFields(property, depth + 1));
  }
  const nested = [
    schema.items,
    ...(schema.allOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...Object.values(schema.content ?? {}).map((media) => media.schema),
  ];
  for (const inner of nested) found.push(...secretFields(inner, depth + 1));
  return found;
}

async function noStore(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  reply.header('cache-control', 'no-store');
  return payload;
}

export function noStoreForSecrets(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const responses = (route.schema as { response?: Record<string, JsonSchema> } | undefined)
      ?.response;
    const carries = Object.entries(responses ?? {}).some(
      ([status, schema]) => status.startsWith('2') && secretFields(schema).length > 0,
    );
    if (!carries) return;
    const existing = route.onSend;
    route.onSend = existing ? [...[existing].flat(), noStore] : [noStore];
  });
}
