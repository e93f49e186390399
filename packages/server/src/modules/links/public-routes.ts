/**
 * Public item pages and recalls. `GET /i/<uid>` and GS1 Digital Links
 * (`GET /01/<gtin>/10/<lot>/21/<serial>`), at the root or under the tenant's path prefix, answer
 * the item's public page; `POST …/warranty` registers the owner's warranty. Every resolution is a
 * scan event. Admins choose the page's fields and branding (`/api/v1/links/public-page`);
 * operators recall a lot or serial range (`/api/v1/recalls`) and list the affected items.
 */
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { and, asc, desc, eq, gte, inArray, isNull, lte, max, sql } from 'drizzle-orm';
import { Type, type Static, type TSchema } from 'typebox';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../../errors.js';
import { recordAudit, requestAuditContext } from '../../platform/audit/audit.js';
import type { Guard } from '../../platform/auth/guard.js';
import { recordEvents } from '../../platform/events/events.js';
import { literals } from '../../platform/http/literals.js';
import { sendProblem } from '../../platform/http/problem-handler.js';
import { PAGE_OR_PROBLEM, PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import { wantsJson } from './pages.js';
import { ItemSigner } from '../inventory/item-signature.js';
import { items } from '../inventory/schema.js';
import type { ModuleContext } from '../registry.js';
import type { TenantAddresses } from './addresses.js';
import { forgedPage, itemPage, unknownItemPage } from './item-page.js';
import { PublicItems, type ItemLookup } from './public-items.js';
import type { ScanLog } from './scan-log.js';
import { linkScans, PUBLIC_FIELDS, recalls } from './schema.js';
import type { VisitorReader } from './visitor.js';

const tags = ['links'];
const HTML = { description: 'HTML page', content: { 'text/html': { schema: Type.String() } } };
const PageQuery = Type.Object(
  {
    s: Type.Optional(Type.String({ maxLength: 64, description: 'The signature of signed codes' })),
  },
  { additionalProperties: true },
);
const PAGE_DESCRIPTION =
  'A page for people (text/html). A client that asks for JSON (`Accept: application/json`) gets its refusals as problem+json; the page itself is HTML only.';
/** The tenant's path prefix, on the routes under one (`/acme/i/<uid>`). */
const prefixParam = (path: string): Record<string, TSchema> =>
  path.startsWith('/:prefix/') ? { prefix: Type.String({ maxLength: 100 }) } : {};

/** A refusal: problem+json to a client that asked for JSON, else the page a person reads. */
function pageOrProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  html: () => string,
): FastifyReply {
  if (wantsJson(request.headers.accept)) return sendProblem(reply, request, code, detail);
  return reply.code(ERROR_CATALOGUE[code].status).type('text/html; charset=utf-8').send(html());
}
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

export function publicItemRoutes(
  app: FastifyInstance,
  context: ModuleContext & { guard: Guard },
  deps: {
    addresses: TenantAddresses;
    scans: ScanLog;
    visitors: VisitorReader;
    count(result: string, seconds: number): void;
  },
) {
  const { guard, config } = context;
  const db = context.database.db;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const pages = new PublicItems(db, new ItemSigner(context.secret));
  void app.register(formbody, { bodyLimit: 4096 });
  const limit = { rateLimit: { max: config.publicRateLimitMax } };

  /** The item behind a public URL, its scan recorded; undefined when a page was sent instead. */
  async function resolvePage(
    request: FastifyRequest,
    reply: FastifyReply,
    prefix: string,
    lookup: ItemLookup,
    signature: string | undefined,
  ) {
    const started = process.hrtime.bigint();
    const now = new Date();
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const host = request.host.replace(/:(80|443)$/, '');
    const tenantId = await deps.addresses.tenantFor(host, prefix ? `/${prefix}` : '');
    const outcome = tenantId
      ? await pages.page(tenantId, lookup, signature, now)
      : ({ result: 'not-found' } as const);
    if (tenantId)
      deps.scans.add({
        tenantId,
        at: now,
        itemUid:
          outcome.result === 'shown'
            ? outcome.page.uid
            : lookup.kind === 'uid'
              ? lookup.uid.slice(0, 100)
              : null,
        lot: outcome.result === 'shown' ? outcome.page.lot : null,
        result: outcome.result,
        ...deps.visitors.read(request.headers, request.ip, now),
      });
    deps.count(outcome.result, Number(process.hrtime.bigint() - started) / 1e9);
    if (outcome.result === 'shown') return outcome.page;
    if (outcome.result === 'forged')
      pageOrProblem(request, reply, 'PAGE_ERR_SIGNATURE', 'The code has been altered', forgedPage);
    else
      pageOrProblem(
        request,
        reply,
        'HTTP_ERR_NOT_FOUND',
        'No part has this address',
        unknownItemPage,
      );
    return undefined;
  }

  const uidParams = (path: string) =>
    Type.Object({ ...prefixParam(path), uid: Type.String({ maxLength: 200 }) });
  for (const path of ['/i/:uid', '/:prefix/i/:uid'])
    api.get(
      path,
      {
        config: limit,
        schema: {
          tags,
          summary: "A part's public page: type, date, warranty, recall notice, maker",
          description: PAGE_DESCRIPTION,
          params: uidParams(path),
          querystring: PageQuery,
          response: { 200: HTML, 403: PAGE_OR_PROBLEM, 404: PAGE_OR_PROBLEM },
        },
      },
      async (request, reply) => {
        const { prefix = '', uid } = request.params as { prefix?: string; uid: string };
        const signature = request.query.s;
        const page = await resolvePage(request, reply, prefix, { kind: 'uid', uid }, signature);
        if (!page) return reply;
        const action = `${request.url.split('?')[0]}/warranty${signature ? `?s=${encodeURIComponent(signature)}` : ''}`;
        return reply.type('text/html; charset=utf-8').send(itemPage(page, action));
      },
    );

  for (const path of ['/01/:gtin/10/:lot/21/:serial', '/:prefix/01/:gtin/10/:lot/21/:serial'])
    api.get(
      path,
      {
        config: limit,
        schema: {
          tags,
          summary: "A part's public page from its GS1 Digital Link (GTIN, lot, serial)",
          description: PAGE_DESCRIPTION,
          params: Type.Object({
            ...prefixParam(path),
            gtin: Type.String({ pattern: '^\\d{14}$' }),
            lot: Type.String({ maxLength: 64 }),
            serial: Type.Integer({ minimum: 1 }),
          }),
          querystring: PageQuery,
          response: { 200: HTML, 403: PAGE_OR_PROBLEM, 404: PAGE_OR_PROBLEM },
        },
      },
      async (request, reply) => {
        const {
          prefix = '',
          gtin,
          lot,
          serial,
        } = request.params as {
          prefix?: string;
          gtin: string;
          lot: string;
          serial: number;
        };
        const signature = request.query.s;
        const page = await resolvePage(
          request,
          reply,
          prefix,
          { kind: 'gs1', gtin, lot, serial },
          signature,
        );
        if (!page) return reply;
        const action = `${request.url.split('?')[0]}/warranty${signature ? `?s=${encodeURIComponent(signature)}` : ''}`;
        return reply.type('text/html; charset=utf-8').send(itemPage(page, action));
      },
    );

  const Warranty = Type.Object(
    {
      email: Type.String({ maxLength: 254 }),
      purchaseDate: Type.String({ format: 'date' }),
    },
    { additionalProperties: true },
  );
  for (const path of ['/i/:uid/warranty', '/:prefix/i/:uid/warranty'])
    api.post(
      path,
      {
        config: limit,
        schema: {
          tags,
          summary: "Register a part's warranty from its public page (form: email, purchaseDate)",
          description: `The page's own form posts here (application/x-www-form-urlencoded); JSON works too. ${PAGE_DESCRIPTION}`,
          params: uidParams(path),
          querystring: PageQuery,
          body: {
            content: {
              'application/x-www-form-urlencoded': { schema: Warranty },
              'application/json': { schema: Warranty },
            },
          },
          response: {
            200: HTML,
            403: PAGE_OR_PROBLEM,
            404: PAGE_OR_PROBLEM,
            422: PAGE_OR_PROBLEM,
          },
        },
      },
      async (request, reply) => {
        const { prefix = '', uid } = request.params as { prefix?: string; uid: string };
        const signature = request.query.s;
        const { email, purchaseDate } = request.body as Static<typeof Warranty>;
        const page = await resolvePage(request, reply, prefix, { kind: 'uid', uid }, signature);
        if (!page) return reply;
        const action = request.url;
        const today = new Date().toISOString().slice(0, 10);
        const problem = !page.settings.warrantyRegistration
          ? 'Warranty registration is not offered for this part.'
          : !EMAIL.test(email)
            ? 'Please give a valid e-mail address.'
            : purchaseDate > today
              ? 'The date of purchase cannot be in the future.'
              : undefined;
        if (problem)
          return pageOrProblem(request, reply, 'PAGE_ERR_FORM', problem, () =>
            itemPage(page, action, problem),
          );
        reply.type('text/html; charset=utf-8');
        const registered = await pages.registerWarranty(page, { email, purchaseDate });
        const after = { ...page, registeredAt: page.registeredAt ?? new Date().toISOString() };
        return reply.send(
          itemPage(
            after,
            action,
            registered
              ? 'Thank you: your warranty is registered.'
              : 'This warranty was registered before.',
          ),
        );
      },
    );

  const Settings = Type.Object(
    {
      fields: Type.Array(literals(PUBLIC_FIELDS), { uniqueItems: true, maxItems: 10 }),
      brandName: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
      contactEmail: Type.Union([
        Type.String({ maxLength: 254, pattern: EMAIL.source }),
        Type.Null(),
      ]),
      contactUrl: Type.Union([Type.String({ maxLength: 500, pattern: '^https?://' }), Type.Null()]),
      warrantyRegistration: Type.Boolean(),
    },
    { additionalProperties: false },
  );
  api.get(
    '/api/v1/links/public-page',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'What public item pages show (fields) and who they say made the part',
        response: { 200: Settings, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => pages.settings(request.principal!.tenantId),
  );
  api.put(
    '/api/v1/links/public-page',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: "Choose the public item pages' fields, branding and warranty form",
        body: Settings,
        response: { 200: Settings, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      await pages.saveSettings(tenantId, request.body);
      await recordAudit(db, requestAuditContext(request), {
        action: 'public-page.update',
        targetType: 'tenant',
        targetId: tenantId,
        summary: { fields: request.body.fields },
      });
      return pages.settings(tenantId);
    },
  );

  const Recall = Type.Object({
    id: Type.String(),
    lot: Type.String(),
    typeCode: Type.Union([Type.String(), Type.Null()]),
    serialFrom: Type.Union([Type.Integer(), Type.Null()]),
    serialTo: Type.Union([Type.Integer(), Type.Null()]),
    message: Type.String(),
    affected: Type.Integer(),
    createdAt: Type.String(),
    closedAt: Type.Union([Type.String(), Type.Null()]),
  });
  const affectedWhere = (r: typeof recalls.$inferSelect) =>
    and(
      eq(items.tenantId, r.tenantId),
      eq(items.lotNumber, r.lot),
      r.typeCode ? eq(items.typeCode, r.typeCode) : undefined,
      r.serialFrom ? gte(items.serial, r.serialFrom) : undefined,
      r.serialTo ? lte(items.serial, r.serialTo) : undefined,
    );
  const recallView = async (r: typeof recalls.$inferSelect) => {
    const [{ n }] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(items)
      .where(affectedWhere(r));
    return {
      id: r.id,
      lot: r.lot,
      typeCode: r.typeCode,
      serialFrom: r.serialFrom,
      serialTo: r.serialTo,
      message: r.message,
      affected: n,
      createdAt: r.createdAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
    };
  };
  const findRecall = async (tenantId: string, id: string) => {
    const [recall] = await db
      .select()
      .from(recalls)
      .where(and(eq(recalls.tenantId, tenantId), eq(recalls.id, id)));
    if (!recall) throw new AppError('HTTP_ERR_NOT_FOUND', `No recall ${id}`);
    return recall;
  };
  const IdParams = Type.Object(
    { id: Type.String({ format: 'uuid' }) },
    { additionalProperties: false },
  );

  api.post(
    '/api/v1/recalls',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          'Recall a lot (or a serial range of it): every affected public page shows the message',
        body: Type.Object(
          {
            lot: Type.String({ minLength: 1, maxLength: 64 }),
            typeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
            serialFrom: Type.Optional(Type.Integer({ minimum: 1 })),
            serialTo: Type.Optional(Type.Integer({ minimum: 1 })),
            message: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Recall, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const body = request.body;
      if (body.serialFrom && body.serialTo && body.serialFrom > body.serialTo)
        throw new AppError('VALIDATION_ERR_REQUEST', 'serialTo must not be below serialFrom', {
          errors: [{ field: 'body.serialTo', message: 'serialTo must not be below serialFrom' }],
        });
      const audit = requestAuditContext(request);
      const recall = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(recalls)
          .values({ tenantId, ...body, createdBy: `${audit.actorType}:${audit.actorId ?? ''}` })
          .returning();
        await recordAudit(tx, audit, {
          action: 'recall.create',
          targetType: 'recall',
          targetId: row.id,
          summary: { ...body },
        });
        await recordEvents(tx, tenantId, [
          { type: 'recall.created', subject: row.lot, data: { id: row.id, ...body } },
        ]);
        return row;
      });
      return reply.code(201).send(await recallView(recall));
    },
  );

  api.get(
    '/api/v1/recalls',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Recalls, newest first',
        response: { 200: Type.Object({ recalls: Type.Array(Recall) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const rows = await db
        .select()
        .from(recalls)
        .where(eq(recalls.tenantId, request.principal!.tenantId))
        .orderBy(desc(recalls.createdAt))
        .limit(200);
      return { recalls: await Promise.all(rows.map(recallView)) };
    },
  );

  api.get(
    '/api/v1/recalls/:id/affected',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'The items a recall covers, with their status and last scan',
        params: IdParams,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
            after: Type.Optional(
              Type.Integer({ minimum: 0, description: 'Serial to start after' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                uid: Type.String(),
                serial: Type.Integer(),
                status: Type.String(),
                lastScan: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            next: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const recall = await findRecall(request.principal!.tenantId, request.params.id);
      const { limit, after } = request.query;
      const rows = await db
        .select({ uid: items.uid, serial: items.serial, status: items.status })
        .from(items)
        .where(and(affectedWhere(recall), after ? sql`${items.serial} > ${after}` : undefined))
        .orderBy(asc(items.serial))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const scans = page.length
        ? await db
            .select({ uid: linkScans.itemUid, last: max(linkScans.at) })
            .from(linkScans)
            .where(
              and(
                eq(linkScans.tenantId, recall.tenantId),
                inArray(
                  linkScans.itemUid,
                  page.map((r) => r.uid),
                ),
              ),
            )
            .groupBy(linkScans.itemUid)
        : [];
      const last = new Map(scans.map((s) => [s.uid, s.last]));
      return {
        items: page.map((r) => ({ ...r, lastScan: last.get(r.uid)?.toISOString() ?? null })),
        next: rows.length > limit ? page[page.length - 1].serial : null,
      };
    },
  );

  api.post(
    '/api/v1/recalls/:id/close',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'End a recall: the pages stop showing its notice',
        params: IdParams,
        response: { 200: Recall, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const recall = await findRecall(request.principal!.tenantId, request.params.id);
      const [closed] = await db
        .update(recalls)
        .set({ closedAt: new Date() })
        .where(and(eq(recalls.id, recall.id), isNull(recalls.closedAt)))
        .returning();
      await recordAudit(db, requestAuditContext(request), {
        action: 'recall.close',
        targetType: 'recall',
        targetId: recall.id,
        summary: { lot: recall.lot },
      });
      return recallView(closed ?? recall);
    },
  );
}
