/**
 * Generate routes: one code (POST /api/v1/codes, and the seed's POST /generate), embeddable render
 * URLs (authenticated or signed), and the history of stored codes.
 */
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { API_VERSION } from '../../version.js';
import { AppError } from '../../errors.js';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { hasCredentials, type Guard } from '../../platform/auth/guard.js';
import { PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import type { ModuleContext } from '../registry.js';
import { resolveContent, type Content } from './content.js';
import { TenantAddresses } from '../links/addresses.js';
import { dynamicAllowed, dynamicTarget, makeDynamic, type DynamicCodeRef } from './dynamic.js';
import { generateMetrics } from './metrics.js';
import { renderCode, type PdfLayout, type Rendered } from './render.js';
import { RenderCache } from './render-cache.js';
import { UrlSigner } from '../../platform/auth/url-signer.js';
import { DownloadLinkSchema } from '../../platform/storage/download-links.js';
import {
  CodeRequestSchema,
  FORMATS,
  StyleProperties,
  type CodeFormat,
  type CodeStyle,
} from './schemas.js';
import { CodeService, type CodeRow } from './service.js';

const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

const CodeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  summary: Type.String(),
  content: Type.String(),
  format: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ description: 'File size in bytes' }),
  sha256: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  downloadUrl: Type.String(),
  thumbnailUrl: Type.String(),
  dynamicCode: Type.Optional(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      slug: Type.String(),
      url: Type.String({ description: 'The short URL the code encodes' }),
      target: Type.String({ description: 'Where it points now (change it under /api/v1/links)' }),
    }),
  ),
});

const BINARY = (description: string) => ({
  description,
  content: {
    'image/png': { schema: Type.String({ format: 'binary' }) },
    'image/svg+xml': { schema: Type.String() },
    'application/pdf': { schema: Type.String({ format: 'binary' }) },
    'text/plain': { schema: Type.String() },
  },
});

/** Query of the render URL: the content and the basic style (no logo: URLs stay short). */
const RenderQuery = Type.Object(
  {
    data: Type.String({ minLength: 1, maxLength: 2000 }),
    format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])),
    size: StyleProperties.size,
    ecc: StyleProperties.ecc,
    margin: StyleProperties.margin,
    dark: StyleProperties.dark,
    light: StyleProperties.light,
    exp: Type.Optional(Type.Integer({ description: 'Expiry of a signed URL (Unix seconds)' })),
    sig: Type.Optional(Type.String({ maxLength: 100, description: 'Signature of a signed URL' })),
  },
  { additionalProperties: false },
);

const SeedRequest = Type.Object(
  {
    data: Type.String({ minLength: 1, maxLength: 7089 }),
    format: Type.Optional(
      Type.String({ pattern: '^(?:[Pp][Nn][Gg]|[Ss][Vv][Gg]|[Pp][Dd][Ff]|[Tt][Xx][Tt])$' }),
    ),
    ...StyleProperties,
  },
  { additionalProperties: false },
);

export function generateRoutes(app: FastifyInstance, context: ModuleContext & { guard: Guard }) {
  const { config, guard } = context;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const service = new CodeService(context.database.db, context.storage);
  const signer = new UrlSigner(context.secret, 'render-url v1');
  const metrics = generateMetrics(context.metrics.registry);
  const addresses = new TenantAddresses(context.database.db, config.linkCacheMs);
  const signedIn = guard.role('viewer');

  const renderCache = new RenderCache(
    config.renderCacheBytes,
    context.metrics.registry,
    context.redis,
  );

  async function render(
    content: Content,
    format: CodeFormat,
    style: CodeStyle,
    pdf?: PdfLayout,
  ): Promise<Rendered> {
    const stop = metrics.duration.startTimer();
    const rendered = await renderCode(content.text, format, style, pdf);
    stop();
    metrics.generated.inc({ format });
    return rendered;
  }

  /** A render answered from the cache when the same request (ETag) was rendered before. */
  async function cachedRender(
    etag: string,
    content: Content,
    format: CodeFormat,
    style: CodeStyle,
    pdf?: PdfLayout,
  ): Promise<Rendered> {
    let rendered = false;
    const result = await renderCache.get(
      etag,
      () => ((rendered = true), render(content, format, style, pdf)),
    );
    if (!rendered) metrics.generated.inc({ format });
    return result;
  }

  /** Anonymous callers may generate when the setting allows; credentials, when sent, must hold. */
  const generator = [
    guard.optional,
    async (request: FastifyRequest) => {
      if (!request.principal && !config.anonymousGenerate)
        throw new AppError(
          'AUTH_ERR_UNAUTHENTICATED',
          'Anonymous generation is switched off here: sign in or send an API key',
        );
    },
  ];
  /** Anonymous callers share a smaller budget per IP. */
  const anonymousLimit = {
    rateLimit: {
      max: (request: FastifyRequest) =>
        hasCredentials(request) ? config.rateLimitMax : config.anonymousRateLimitMax,
    },
  };

  /** Sends image bytes; the ETag names the request, so a repeat can answer 304 unrendered. */
  function sendImage(reply: FastifyReply, rendered: Rendered, etag: string | null, cache: string) {
    if (etag) reply.header('etag', etag);
    return reply
      .header('content-type', rendered.contentType)
      .header('cache-control', cache)
      .header('x-qr-version', String(rendered.version))
      .header('x-qr-ecc', rendered.ecc)
      .send(Buffer.from(rendered.bytes.buffer, rendered.bytes.byteOffset, rendered.bytes.length));
  }

  const etagOf = (value: unknown) =>
    `"${createHash('sha256').update(API_VERSION).update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;
  const notModified = (request: FastifyRequest, etag: string) =>
    request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag) ?? false;
  /** Answers 304 (bodies and schemas do not apply, hence the untyped reply). */
  const sendNotModified = (reply: FastifyReply, etag: string, cache?: string) => {
    if (cache) reply.header('cache-control', cache);
    return reply.code(304).header('etag', etag).send();
  };

  const view = (row: CodeRow) => ({
    id: row.id,
    type: row.payloadType,
    summary: row.summary,
    content: row.content,
    format: row.format,
    contentType: row.contentType,
    size: row.byteSize,
    sha256: row.sha256,
    createdBy: row.createdByUser ?? row.createdByApiKey,
    createdAt: row.createdAt.toISOString(),
    downloadUrl: `/api/v1/codes/${row.id}/download`,
    thumbnailUrl: `/api/v1/codes/${row.id}/thumbnail`,
  });

  api.post(
    '/api/v1/codes',
    {
      preValidation: generator,
      config: anonymousLimit,
      schema: {
        tags: ['generate'],
        summary: 'Generate one code',
        description:
          'Returns the image. With `store: true` (operators and admins) the file is also kept in storage and history; the answer is then 201 with the record.',
        body: CodeRequestSchema,
        response: {
          200: BINARY('The code'),
          201: CodeSchema,
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { format = 'png', store, dynamic, pdf, data, payload, ...style } = request.body;
      let content: Content;
      let dynamicCode: DynamicCodeRef | undefined;
      if (dynamic) {
        await dynamicAllowed(config, context.flags, request);
        const target = dynamicTarget({ data, payload });
        ({ content, ref: dynamicCode } = await makeDynamic(
          context.database.db,
          addresses,
          config,
          request,
          target,
        ));
      } else content = resolveContent({ data, payload });
      if (store) {
        const principal = request.principal;
        if (!principal)
          throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'Sign in to store codes (store: true)');
        if (principal.role === 'viewer')
          throw new AppError('AUTH_ERR_FORBIDDEN', 'Storing codes needs the operator role');
        const rendered = await render(content, format, style, pdf);
        const row = await service.save(
          principal,
          content,
          rendered,
          { ...style, logo: style.logo ? { size: style.logo.size } : undefined, pdf },
          requestAuditContext(request),
        );
        return reply
          .code(201)
          .header('location', `/api/v1/codes/${row.id}`)
          .send({ ...view(row), dynamicCode });
      }
      if (dynamicCode) {
        // A new dynamic code each time: nothing to cache; the headers say which code was made.
        reply.header('x-qr-dynamic-code', dynamicCode.id).header('x-qr-short-url', dynamicCode.url);
        return sendImage(reply, await render(content, format, style, pdf), null, 'no-store');
      }
      const etag = etagOf({ text: content.text, format, style, pdf });
      if (notModified(request, etag)) return sendNotModified(reply, etag);
      return sendImage(
        reply,
        await cachedRender(etag, content, format, style, pdf),
        etag,
        'private, max-age=86400',
      );
    },
  );

  api.post(
    '/generate',
    {
      preValidation: generator,
      config: anonymousLimit,
      schema: {
        tags: ['generate'],
        summary: "Generate one code (the seed documents' compatibility route)",
        body: SeedRequest,
        response: { 200: BINARY('The code'), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { data, format = 'png', ...style } = request.body;
      const content = resolveContent({ data });
      const lower = format.toLowerCase() as CodeFormat;
      const etag = etagOf({ text: content.text, format: lower, style });
      if (notModified(request, etag)) return sendNotModified(reply, etag);
      return sendImage(
        reply,
        await cachedRender(etag, content, lower, style),
        etag,
        'private, max-age=86400',
      );
    },
  );

  api.get(
    '/api/v1/codes/render',
    {
      // Signed URLs need no credentials; without a signature the caller must sign in.
      preHandler: async (request, reply) => {
        const query = request.query as Record<string, unknown>;
        if (query.sig === undefined && query.exp === undefined)
          return signedIn.call(app, request, reply);
        const verdict = signer.verifyUrl(request.url, query);
        if (verdict !== 'valid')
          throw new AppError(
            'AUTH_ERR_UNAUTHENTICATED',
            verdict === 'expired'
              ? 'This render URL has expired'
              : 'This render URL signature is not valid',
          );
      },
      schema: {
        tags: ['generate'],
        summary: 'Render a code for <img src>: signed-in callers, or a signed URL',
        querystring: RenderQuery,
        response: { 200: BINARY('The code'), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const { data, format = 'png', exp, sig, ...style } = request.query;
      const etag = etagOf({ text: data, format, style });
      const maxAge = exp
        ? Math.max(0, Math.min(86_400, exp - Math.floor(Date.now() / 1000)))
        : 3600;
      const cache = sig ? `public, max-age=${maxAge}, immutable` : 'private, max-age=3600';
      // Signed URLs exist to be embedded in other sites' pages: the platform's default
      // Cross-Origin-Resource-Policy (same-origin) would make browsers block those <img>s.
      if (sig) reply.header('cross-origin-resource-policy', 'cross-origin');
      if (notModified(request, etag)) return sendNotModified(reply, etag, cache);
      const content = resolveContent({ data });
      const rendered = await cachedRender(etag, content, format, style);
      // A signed URL's answer never changes until it expires: later requests for the same URL
      // can be answered before the pipeline (hot-cache.ts). Cross-origin callers excepted (CORS).
      if (sig && exp && context.hotCache && request.headers.origin === undefined)
        void reply.raw.once('finish', () => {
          if (reply.statusCode !== 200) return;
          context.hotCache!.remember(request.url, {
            handler: '/api/v1/codes/render',
            // Fastify hands its headers to writeHead, so the raw response does not list them.
            headers: reply.getHeaders() as OutgoingHttpHeaders,
            body: Buffer.from(
              rendered.bytes.buffer,
              rendered.bytes.byteOffset,
              rendered.bytes.length,
            ),
            etag,
            expiresAt: exp * 1000,
            onHit: () => {
              renderCache.countHit();
              metrics.generated.inc({ format });
            },
          });
        });
      return sendImage(reply, rendered, etag, cache);
    },
  );

  api.post(
    '/api/v1/codes/render-url',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'Sign a render URL that works without credentials until it expires',
        body: Type.Object(
          {
            ...Type.Omit(RenderQuery, ['exp', 'sig']).properties,
            expiresIn: Type.Optional(
              Type.Integer({
                minimum: 60,
                maximum: 30 * 86_400,
                description: 'Seconds; default 3600',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const { expiresIn = 3600, ...params } = request.body;
      resolveContent({ data: params.data });
      const expiresAt = new Date(Date.now() + expiresIn * 1000);
      return {
        url: `/api/v1/codes/render?${signer.sign(params, expiresAt)}`,
        expiresAt: expiresAt.toISOString(),
      };
    },
  );

  api.get(
    '/api/v1/codes',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'History of stored codes, newest first',
        querystring: Type.Object(
          {
            type: Type.Optional(Type.String({ maxLength: 20 })),
            format: Type.Optional(Type.Union(FORMATS.map((f) => Type.Literal(f)))),
            createdBy: Type.Optional(Type.String({ format: 'uuid' })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            codes: Type.Array(CodeSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await service.list(request.principal!.tenantId, {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      });
      return { codes: page.rows.map(view), nextCursor: page.nextCursor };
    },
  );

  const find = async (request: FastifyRequest, id: string) => {
    const row = await service.get(request.principal!.tenantId, id);
    if (!row) throw new AppError('HTTP_ERR_NOT_FOUND', `No code ${id}`);
    return row;
  };

  api.get(
    '/api/v1/codes/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'A stored code',
        params: IdParams,
        response: { 200: CodeSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => view(await find(request, request.params.id)),
  );

  api.get(
    '/api/v1/codes/:id/download',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'The stored file',
        params: IdParams,
        response: { 200: BINARY('The stored file'), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const row = await find(request, request.params.id);
      const object = await service.open(row);
      if (!object)
        throw new AppError(
          'STORAGE_ERR_MISSING',
          `The file of code ${row.id} is missing from storage`,
        );
      return (reply as FastifyReply)
        .header('content-type', row.contentType)
        .header('content-length', String(object.size))
        .header('etag', `"${row.sha256}"`)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('content-disposition', `attachment; filename="qr-${row.id}.${row.format}"`)
        .send(object.body);
    },
  );

  api.get(
    '/api/v1/codes/:id/download-url',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'A short-lived signed link to the stored file (S3 presigned, Azure SAS, or ours)',
        params: IdParams,
        response: { 200: DownloadLinkSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const row = await find(request, request.params.id);
      return context.downloads.link(row.storageKey, `qr-${row.id}.${row.format}`);
    },
  );

  api.get(
    '/api/v1/codes/:id/thumbnail',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'A small PNG of a stored code, for lists',
        params: IdParams,
        response: { 200: BINARY('PNG thumbnail'), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const row = await find(request, request.params.id);
      const etag = `"thumb-${row.sha256.slice(0, 27)}"`;
      if (notModified(request, etag)) return sendNotModified(reply, etag);
      const { ecc } = row.options as CodeStyle;
      const rendered = await renderCode(row.content, 'png', { ecc, size: 160, margin: 2 });
      return sendImage(reply, rendered, etag, 'private, max-age=86400, immutable');
    },
  );

  api.delete(
    '/api/v1/codes/:id',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags: ['generate'],
        summary: 'Delete a stored code and its file',
        params: IdParams,
        response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const removed = await service.remove(
        request.principal!.tenantId,
        request.params.id,
        requestAuditContext(request),
      );
      if (!removed) throw new AppError('HTTP_ERR_NOT_FOUND', `No code ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );
}
