/**
 * A hostile-input probe driven by the contract: it reads the OpenAPI document the server
 * publishes and, for every operation, sends what a careless or hostile client sends — bad path
 * values (huge, negative, not a UUID, `../`, `%00`, 101 characters), wrong types and over-long
 * strings in each body and query field, unknown fields, broken JSON, missing and wrong
 * Content-Type, truncated and malformed multipart bodies. Every answer must be < 500; every 4xx is
 * problem+json (the probe asks for JSON, so public pages answer so too) with a detail that names
 * the field or the problem. New routes are covered without touching this file.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { closeDecodePool } from '../../src/modules/scanning/decode-pool.js';
import { ENGINES } from '../helpers/engines.js';
import { signedInApp } from '../helpers/signed-in-app.js';
import { figure } from './figure.js';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  format?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  default?: unknown;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
type Document = { paths: Record<string, Record<string, Operation>> };

const UUID = '00000000-0000-4000-8000-000000000000';
/** Bad path values, as a client would put them in the URL (already percent-encoded). */
const BAD_PATH_VALUES: Record<string, string> = {
  huge: '9'.repeat(40),
  negative: '-1',
  'not a UUID': 'not-a-uuid',
  traversal: '..%2F..%2Fetc%2Fpasswd',
  'dot dot': '..',
  nul: '%00',
  '101 characters': 'a'.repeat(101),
  'bad percent-encoding': '%E0%A4%A',
};
const LONG = 'x'.repeat(100_000);
const BOUNDARY = 'probe-boundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const part = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n`;

/** A value that satisfies the schema in the simplest way (enough to get past validation). */
function sample(schema: Schema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return sample(variants.find((v) => v.type !== 'null') ?? variants[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((key) => [key, sample(schema.properties?.[key])]),
      );
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items));
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    default:
      if (schema.format === 'uuid') return UUID;
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'email') return 'probe@example.com';
      if (schema.format === 'uri') return 'https://example.com/';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
}

/** A value of another JSON type than the schema's. */
function wrongType(schema: Schema): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'string') return { not: 'a string' };
  if (type === 'object') return 'not an object';
  if (type === 'array') return 42;
  return 'not a number';
}

describe.each(ENGINES)('the contract-driven probe ($engine)', (setup) => {
  const { engine, available } = setup;
  let app: App;
  let auth: Record<string, string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (!available) return;
    ({ app, auth, close } = await signedInApp(setup, {
      jwtSecret: 'contract-probe-secret-0123456789-abcdef',
      rateLimitMax: 1_000_000,
      publicRateLimitMax: 1_000_000,
      loginMaxFailures: 1_000_000,
    }));
  });
  afterAll(async () => {
    if (!available) return;
    await close();
    await closeDecodePool();
  });

  it.skipIf(!available)(
    'every operation: 0 answers 5xx, every 4xx a problem that names the problem',
    async () => {
      const document = app.server.swagger() as unknown as Document;
      const failures: string[] = [];
      const byStatus = new Map<number, number>();
      let sent = 0;
      let operations = 0;

      const send = async (what: string, request: InjectOptions & { url: string }) => {
        const res = await app.server.inject({
          ...request,
          headers: { accept: 'application/json', ...auth, ...request.headers },
        });
        sent++;
        byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
        const where = `${what}: ${request.method} ${request.url.slice(0, 120)}`;
        if (res.statusCode >= 500) failures.push(`${where} -> ${res.statusCode} ${res.body}`);
        else if (res.statusCode >= 400) {
          const type = String(res.headers['content-type'] ?? '');
          if (!type.startsWith('application/problem+json'))
            failures.push(`${where} -> ${res.statusCode} as ${type}`);
          else {
            const body = res.json<{ detail?: string; code?: string }>();
            if (!body.detail || !body.code)
              failures.push(`${where} -> ${res.statusCode} without detail or code`);
            // Input is quoted bounded (100 characters): no run of our long values comes back.
            if (body.detail && /(.)\1{100}/.test(body.detail))
              failures.push(`${where} -> detail quotes over 100 characters of input`);
          }
        }
        return res.statusCode;
      };

      for (const [template, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          operations++;
          const params = operation.parameters ?? [];
          const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
          const fill = (value: (name: string) => string) =>
            template.replace(/\{([^}]+)\}/g, (_, name: string) => value(name));
          const url = fill((name) => {
            const schema = params.find((p) => p.name === name)?.schema;
            return encodeURIComponent(String(sample(schema ?? { format: 'uuid' })));
          });
          const verb = method.toUpperCase() as InjectOptions['method'];
          const json = operation.requestBody?.content['application/json']?.schema;
          const body = json ? sample(json) : undefined;
          const base = json
            ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
            : {};

          for (const name of pathParams)
            for (const [kind, value] of Object.entries(BAD_PATH_VALUES))
              await send(`path ${name} ${kind}`, {
                method: verb,
                url: fill((n) => (n === name ? value : encodeURIComponent(UUID))),
                ...base,
              });

          for (const query of params.filter((p) => p.in === 'query'))
            for (const value of ['not-a-value', '-1', '1e999', LONG.slice(0, 5_000), '%00'])
              await send(`query ${query.name}`, {
                method: verb,
                url: `${url}?${query.name}=${encodeURIComponent(value)}`,
                ...base,
              });

          if (verb === 'GET' || verb === 'DELETE') {
            if (!json) continue;
          }
          // Bodies: JSON gone wrong, then the wrong kind of body altogether.
          const bodies: [string, string | Buffer, string | undefined][] = [
            ['broken JSON', '{"data": ', 'application/json'],
            ['JSON array', '[]', 'application/json'],
            ['JSON null', 'null', 'application/json'],
            ['no content type', '{"data":"x"}', undefined],
            ['text/plain', 'hello', 'text/plain'],
            ['form-urlencoded', 'data=x&format=png', 'application/x-www-form-urlencoded'],
            ['xml', '<data>x</data>', 'application/xml'],
            ['multipart cut short', part, MULTIPART],
            ['multipart without closing boundary', `${part}\r\n`, MULTIPART],
            ['multipart without boundary', part, 'multipart/form-data'],
            ['multipart garbage', 'not multipart at all', MULTIPART],
          ];
          if (json && typeof body === 'object' && body && !Array.isArray(body)) {
            bodies.push([
              'unknown field',
              JSON.stringify({ ...body, probeUnknown: 1 }),
              'application/json',
            ]);
            for (const [key, schema] of Object.entries(json.properties ?? {})) {
              bodies.push([
                `wrong type for ${key}`,
                JSON.stringify({ ...body, [key]: wrongType(schema) }),
                'application/json',
              ]);
              bodies.push([
                `100,000 characters in ${key}`,
                JSON.stringify({ ...body, [key]: LONG }),
                'application/json',
              ]);
            }
          }
          // One content-type policy: a body of a type the operation does not declare is 415.
          const declared = Object.keys(operation.requestBody?.content ?? {});
          for (const [kind, payload, contentType] of bodies) {
            const status = await send(kind, {
              method: verb,
              url,
              payload,
              headers: contentType ? { 'content-type': contentType } : {},
            });
            // (JSON that cannot be parsed may be refused as such, 400, before the type is weighed.)
            const type = contentType?.split(';')[0];
            const unparsable = kind === 'broken JSON' && status === 400;
            if (
              operation.requestBody &&
              type &&
              !declared.includes(type) &&
              status !== 415 &&
              !unparsable
            )
              failures.push(
                `${kind}: ${verb} ${url} -> ${status}, not 415 (takes ${declared.join(', ')})`,
              );
          }
        }
      }

      // Paths no operation has, long enough to be echoed at length.
      for (const url of [
        `/api/v1/no-such-route/${'b'.repeat(300)}`,
        `/api/v1/${'c/'.repeat(300)}`,
        `/api/v1/codes?${'d'.repeat(3000)}=1`,
      ])
        for (const method of ['GET', 'POST', 'DELETE'] as const)
          await send('unknown route', { method, url });

      const health = await app.server.inject('/health');
      expect(health.statusCode).toBe(200);
      if (failures.length)
        console.error(`${failures.length} failures:\n${failures.join('\n').slice(0, 200_000)}`);
      expect(failures.slice(0, 40)).toEqual([]);
      const statuses = [...byStatus]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ');
      console.info(`contract probe (${engine}): ${sent} requests, answers by status: ${statuses}`);
      figure(
        'Contract probe',
        `${engine}: ${operations} operations from the OpenAPI document, ${sent} hostile requests (bad path values, wrong types, 100,000-character strings, unknown fields, broken JSON, wrong or missing Content-Type, truncated and malformed multipart); 0 x 5xx, every 4xx problem+json; answers by status ${statuses}`,
      );
    },
  );
});
