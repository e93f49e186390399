/**
 * Links routes: dynamic codes under /api/v1/links/codes (operators create and change them; every
 * change audited), the public redirect `GET /q/<slug>`, and scan analytics
 * (`/api/v1/links/analytics`, and the events as CSV at `/api/v1/links/scans`).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { desc } from 'drizzle-orm';
import { Counter, Histogram } from 'prom-client';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Guard } from '../../platform/auth/guard.js';
import { literals } from '../../platform/http/literals.js';
import { clientIp, trustProxy } from '../../platform/http/client-ip.js';
import { WindowLimiter } from '../../platform/http/window-limiter.js';
import { PAGE_OR_PROBLEM, PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import { sendProblem } from '../../platform/http/problem-handler.js';
import type { ModuleContext } from '../registry.js';
import { scanAnalytics, scanConditions } from './analytics.js';
import type { TenantAddresses } from './addresses.js';
import { DynamicCodes, SLUG, type DynamicCode } from './codes.js';
import { statusMessage, statusPage, wantsJson } from './pages.js';
import { RedirectFastPath, resolveScan, type RedirectDeps } from './redirect.js';
import type { RoutingRule } from './rules.js';
import type { ScanLog } from './scan-log.js';
import { linkScans } from './schema.js';
import { publicBase, shortBase, shortUrl } from './short-urls.js';
import type { VisitorReader } from './visitor.js';

const tags = ['links'];
const Time = Type.String({ format: 'date-time' });
const Rule = Type.Object(
  {
    device: Type.Optional(
      Type.Array(literals(['mobile', 'tablet', 'desktop'] as const), { minItems: 1 }),
    ),
    language: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z]{2,3}(-[a-z0-9]{1,8})*$' }), { minItems: 1 }),
    ),
    hours: Type.Optional(
      Type.Object(
        {
          from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          until: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
        },
        { additionalProperties: false },
      ),
    ),
    days: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7 }),
    ),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    target: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { additionalProperties: false },
);
const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  target: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'Where scans go when no rule matches: an absolute http(s) URL',
  }),
  rules: Type.Array(Rule, { maxItems: 20, description: 'First match wins' }),
  validFrom: Type.Union([Time, Type.Null()]),
  validUntil: Type.Union([Time, Type.Null()]),
  enabled: Type.Boolean(),
};
const CodeBody = Type.Object(
  {
    name: fields.name,
    target: fields.target,
    rules: Type.Optional(fields.rules),
    validFrom: Type.Optional(fields.validFrom),
    validUntil: Type.Optional(fields.validUntil),
    enabled: Type.Optional(fields.enabled),
  },
  { additionalProperties: false },
);
const CodePatch = Type.Partial(Type.Object(fields), {
  additionalProperties: false,
  minProperties: 1,
});
const Code = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  url: Type.String({ description: 'What the printed code encodes' }),
  name: Type.String(),
  target: Type.String(),
  rules: Type.Array(Rule),
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validUntil: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const ScanQuery = Type.Object(
  {
    codeId: Type.Optional(Type.String({ format: 'uuid' })),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    itemUid: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    bots: Type.Optional(Type.Boolean({ description: 'Count scans by bots too' })),
  },
  { additionalProperties: false },
);
const Breakdown = Type.Array(Type.Object({ key: Type.String(), scans: Type.Integer() }));
const Analytics = Type.Object({
  scans: Type.Integer(),
  visitors: Type.Integer({ description: 'Distinct visitors per day, summed' }),
  bots: Type.Integer(),
  firstScan: Type.Union([Type.String(), Type.Null()]),
  lastScan: Type.Union([Type.String(), Type.Null()]),
  byDay: Type.Array(Type.Object({ day: Type.String(), scans: Type.Integer() })),
  byDevice: Breakdown,
  byBrowser: Breakdown,
  byLanguage: Breakdown,
  byCountry: Breakdown,
  byResult: Breakdown,
  items: Type.Array(
    Type.Object({
      uid: Type.String(),
      scans: Type.Integer(),
      firstScan: Type.String(),
      lastScan: Type.String(),
    }),
  ),
});
const CSV_COLUMNS = [
  'at',
  'result',
  'code_id',
  'item_uid',
  'lot',
  'target',
  'device',
  'browser',
  'os',
  'language',
  'referrer',
  'country',
  'visitor',
  'bot',
] as const;
/** Rows in one CSV export. */
const CSV_LIMIT = 100_000;

export interface LinkServices {
  /** Tenants' own addresses: new dynamic codes are printed with them. */
  addresses: TenantAddresses;
  codes: DynamicCodes;
  scans: ScanLog;
  visitors: VisitorReader;
}

export function linkRoutes(
  app: FastifyInstance,
  context: ModuleContext & { guard: Guard },
  { codes, scans, visitors, addresses }: LinkServices,
) {
  const { guard, config } = context;
  const db = context.database.db;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const trust = trustProxy(config.trustProxy);
  const redirects = new Counter({
    name: 'qr_redirects_total',
    help: 'Resolutions of dynamic codes and item pages, by result (redirected, shown, disabled, expired, not-yet, not-found, forged)',
    labelNames: ['result'] as const,
    registers: [context.metrics.registry],
  });
  const redirectSeconds = new Histogram({
    name: 'qr_redirect_duration_seconds',
    help: 'Time to answer a dynamic code or item page, from the request to the reply',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [context.metrics.registry],
  });
  const redirect: RedirectDeps = {
    codes,
    scans,
    visitors,
    limiter: new WindowLimiter(config.publicRateLimitMax, config.rateLimitWindowSeconds * 1000),
    clientIp: (request) => clientIp(request, trust),
    count: (result, seconds) => {
      redirects.inc({ result });
      redirectSeconds.observe(seconds);
    },
    recordRequest: (method, handler, status, seconds) =>
      context.metrics.recordRequest?.(method, handler, status, seconds),
    transportHeaders: (request) => context.fastPaths?.securityHeaders?.transportFor(request) ?? [],
  };
  const base = (request: FastifyRequest) => publicBase(config, request);
  const view = (request: FastifyRequest, code: DynamicCode) => ({
    id: code.id,
    slug: code.slug,
    url: shortUrl(code.baseUrl ?? base(request), code.slug),
    name: code.name,
    target: code.target,
    rules: code.rules as RoutingRule[],
    validFrom: code.validFrom?.toISOString() ?? null,
    validUntil: code.validUntil?.toISOString() ?? null,
    enabled: code.enabled,
    createdAt: code.createdAt.toISOString(),
    updatedAt: code.updatedAt.toISOString(),
  });

  api.post(
    '/api/v1/links/codes',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          'Create a dynamic code: a short URL of ours whose target can change after printing',
        body: CodeBody,
        response: { 201: Code, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        view(
          request,
          await codes.create(
            request.principal!.tenantId,
            {
              ...request.body,
              baseUrl: await shortBase(addresses, config, request, request.principal!.tenantId),
            },
            requestAuditContext(request),
          ),
        ),
      ),
  );

  api.get(
    '/api/v1/links/codes',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Dynamic codes, newest first',
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ codes: Type.Array(Code) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => ({
      codes: (await codes.list(request.principal!.tenantId, request.query.limit)).map((c) =>
        view(request, c),
      ),
    }),
  );

  api.get(
    '/api/v1/links/codes/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'A dynamic code',
        params: IdParams,
        response: { 200: Code, ...PROBLEM_RESPONSES },
      },
    },
    async (request) =>
      view(request, await codes.get(request.principal!.tenantId, request.params.id)),
  );

  api.patch(
    '/api/v1/links/codes/:id',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Change a dynamic code: target, rules, schedule, on/off (audited)',
        params: IdParams,
        body: CodePatch,
        response: { 200: Code, ...PROBLEM_RESPONSES },
      },
    },
    async (request) =>
      view(
        request,
        await codes.update(
          request.principal!.tenantId,
          request.params.id,
          request.body,
          requestAuditContext(request),
        ),
      ),
  );

  const fast = new RedirectFastPath(redirect);
  context.fastPaths?.add(fast.serve);
  // The platform's headers (security, CORS vary) are set by earlier onSend hooks: learn them here.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url === '/q/:slug' && reply.statusCode === 302)
      fast.learn(reply.getHeaders());
    return payload;
  });

  // At the root, or under a tenant's path prefix (its own address, e.g. https://qr.example.com/acme);
  // slugs are unique over all tenants, so the prefix only has to be there.
  for (const path of ['/q/:slug', '/:prefix/q/:slug'])
    api.get(
      path,
      {
        // One limiter for this route and its fast path (QRFORGE_PUBLIC_RATE_LIMIT_MAX per IP).
        config: { rateLimit: false },
        schema: {
          tags,
          summary: "A dynamic code's address: redirects (302) to its target",
          description:
            'Only to a target its owner set. A disabled, expired or not yet valid code answers a short page saying so (410 or 404), an unknown one 404. Every resolution is recorded as a scan event.',
          params: path.startsWith('/:prefix/')
            ? Type.Object({
                prefix: Type.String({ maxLength: 64 }),
                slug: Type.String({ maxLength: 64 }),
              })
            : Type.Object({ slug: Type.String({ maxLength: 64 }) }),
          response: {
            302: { description: 'To the target', type: 'null' },
            404: PAGE_OR_PROBLEM,
            410: PAGE_OR_PROBLEM,
            429: PROBLEM_RESPONSES[429],
          },
        },
      },
      async (request, reply) => {
        const started = process.hrtime.bigint();
        const now = new Date();
        const wait = redirect.limiter.take(request.ip, now.getTime());
        if (wait) {
          reply.header('retry-after', String(wait));
          throw new AppError(
            'HTTP_ERR_RATE_LIMITED',
            `Too many scans from this address; retry in ${wait} s`,
          );
        }
        const { slug, prefix } = request.params as { slug: string; prefix?: string };
        let code = SLUG.test(slug) ? await codes.bySlug(slug) : undefined;
        // Under a prefix, only the address of the tenant that owns the code (unknown prefix: 404).
        if (code && prefix !== undefined) {
          const owner = await addresses.tenantFor(
            request.host.replace(/:(80|443)$/, ''),
            `/${prefix}`,
          );
          if (owner !== code.tenantId) code = undefined;
        }
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
        const json = wantsJson(request.headers.accept);
        let result: string;
        if (!code) {
          result = 'not-found';
          if (json) sendProblem(reply, request, 'HTTP_ERR_NOT_FOUND', statusMessage('not-found'));
          else reply.code(404).type('text/html; charset=utf-8').send(statusPage('not-found'));
        } else {
          const resolution = resolveScan(redirect, code, request.headers, request.ip, now);
          result = resolution.result;
          if (resolution.result === 'redirected') reply.redirect(resolution.target, 302);
          else {
            const detail =
              resolution.result === 'not-yet' && code.validFrom
                ? `It starts on ${code.validFrom.toUTCString()}.`
                : undefined;
            if (json)
              sendProblem(
                reply,
                request,
                resolution.result === 'not-yet' ? 'HTTP_ERR_NOT_FOUND' : 'LINK_ERR_GONE',
                [statusMessage(resolution.result), detail].filter(Boolean).join(' '),
              );
            else
              reply
                .code(resolution.result === 'not-yet' ? 404 : 410)
                .type('text/html; charset=utf-8')
                .send(statusPage(resolution.result, detail));
          }
        }
        redirect.count(result, Number(process.hrtime.bigint() - started) / 1e9);
        return reply;
      },
    );

  api.get(
    '/api/v1/links/analytics',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary:
          'Scan analytics: totals, per day, by device, browser, language, country and result, first and last scan per item',
        description:
          'For a dynamic code (codeId), a lot, an item, or the whole tenant, over [from, to). Bots are left out unless bots=true. Scans are written in batches: the last half second may not be counted yet.',
        querystring: ScanQuery,
        response: { 200: Analytics, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => scanAnalytics(db, request.principal!.tenantId, request.query),
  );

  api.get(
    '/api/v1/links/scans',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: `The scan events as CSV, newest first (at most ${CSV_LIMIT.toLocaleString('en')})`,
        querystring: ScanQuery,
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const rows = await db
        .select()
        .from(linkScans)
        .where(scanConditions(request.principal!.tenantId, { bots: true, ...request.query }))
        .orderBy(desc(linkScans.at), desc(linkScans.id))
        .limit(CSV_LIMIT);
      const cell = (value: string | number | boolean | Date | null) => {
        const text = value instanceof Date ? value.toISOString() : String(value ?? '');
        // Quoted when needed; a leading = + - @ is defused for spreadsheets (CSV injection).
        const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
        return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
      };
      const lines = rows.map((r) =>
        [
          r.at,
          r.result,
          r.codeId,
          r.itemUid,
          r.lot,
          r.target,
          r.device,
          r.browser,
          r.os,
          r.language,
          r.referrer,
          r.country,
          r.visitor,
          r.bot,
        ]
          .map(cell)
          .join(','),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="scans.csv"')
        .send([CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n');
    },
  );
  return { count: (result: string, seconds: number) => redirect.count(result, seconds) };
}
