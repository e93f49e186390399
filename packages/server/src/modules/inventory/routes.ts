/**
 * Inventory routes under /api/v1/inventory, plus the seed documents' `POST /qr/generate` and
 * `GET /inventory/items` with their own bodies and paths (credentials required).
 */
import { ItemSigner } from './item-signature.js';
import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { and, asc, count, desc, eq, gt, isNull } from 'drizzle-orm';
import { Type, type TSchema } from 'typebox';
import { AppError } from '../../errors.js';
import { recordAudit, requestAuditContext } from '../../platform/audit/audit.js';
import { csvRow } from '../../platform/audit/csv.js';
import type { Guard } from '../../platform/auth/guard.js';
import { PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import type { ModuleContext } from '../registry.js';
import { DEFAULT_SHEET, labelSheet } from '../generate/batch/label-sheet.js';
import { renderCode } from '../generate/render.js';
import { literals } from '../generate/schemas.js';
import { checkStock, lowStockGauge } from './alerts.js';
import { COUNT_BY, countsBy, scrapRate, throughput, warrantyExpiries } from './analytics.js';
import { CODE_CONTENTS, gtinProblem } from './code-content.js';
import { IdTemplateError, IdValueError } from './ids/id-template.js';
import { ReadCache } from './read-cache.js';
import { importCsv, IMPORT_KINDS, readImportCsv } from './import.js';
import type { GenerateInput } from './generation.js';
import { TRANSITIONS } from './lifecycle.js';
import { componentTypes, inventoryAlerts, items, lots } from './schema.js';
import * as S from './schemas.js';
import { InventoryService, type ItemRow } from './service.js';

const UidParams = Type.Object(
  { uid: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const tags = ['inventory'];

export function inventoryRoutes(app: FastifyInstance, context: ModuleContext & { guard: Guard }) {
  const { guard, config } = context;
  const db = context.database.db;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const signer = new ItemSigner(context.secret);
  const service = new InventoryService(
    db,
    context.queue,
    { maxCount: config.inventoryMaxCount, syncCount: config.inventorySyncCount },
    signer,
  );
  lowStockGauge(context.metrics.registry, db);
  const cache = new ReadCache(context.redis, context.metrics.registry);
  // Every successful write of these routes makes the tenant's cached reads out of date; done
  // before the answer leaves, so the caller's next read sees the change.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && reply.statusCode < 300 && request.principal)
      await cache.invalidate(request.principal.tenantId);
    return payload;
  });
  const codeUrl = (uid: string) => `/api/v1/inventory/items/${encodeURIComponent(uid)}/code`;
  const view = (item: ItemRow) => ({
    uid: item.uid,
    typeCode: item.typeCode,
    vendorCode: item.vendorCode,
    lotNumber: item.lotNumber,
    serial: item.serial,
    manufacturingDate: item.manufacturingDate,
    warrantyYears: item.warrantyYears,
    warrantyExpires: item.warrantyExpires,
    status: item.status,
    location: item.location,
    attributes: item.attributes as Record<string, unknown>,
    codeContent: item.codeContent,
    code: codeUrl(item.uid),
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  });

  async function generate(request: FastifyRequest, reply: FastifyReply, input: GenerateInput) {
    const { reservation, uids, jobId } = await service.generate(
      request.principal!,
      input,
      requestAuditContext(request),
    );
    const labels = `/api/v1/inventory/lots/${reservation.lotId}/labels`;
    return reply.code(jobId ? 202 : 201).send({
      lotId: reservation.lotId,
      count: reservation.last - reservation.first + 1,
      firstSerial: reservation.first,
      lastSerial: reservation.last,
      firstUid: uids[0],
      lastUid: uids.at(-1)!,
      labels,
      ...(jobId
        ? { jobId, events: `/api/v1/jobs/${jobId}/events` }
        : { items: uids.map((uid) => ({ uid, code: codeUrl(uid) })) }),
    });
  }

  const generateSchema = <B extends TSchema>(body: B, summary: string) => ({
    tags,
    summary,
    description:
      'Up to QRFORGE_INVENTORY_SYNC_COUNT items answer 201 with the items; more answer 202 with a job (serials reserved at once), up to QRFORGE_INVENTORY_MAX_COUNT.',
    body,
    response: { 201: S.GenerateReplySchema, 202: S.GenerateReplySchema, ...PROBLEM_RESPONSES },
  });

  api.post(
    '/api/v1/inventory/generate',
    {
      preValidation: guard.role('operator'),
      schema: generateSchema(
        S.GenerateBodySchema,
        'Generate component IDs (items) with their codes',
      ),
    },
    (request, reply) => generate(request, reply, request.body),
  );

  api.post(
    '/qr/generate',
    {
      preValidation: guard.role('operator'),
      schema: generateSchema(
        S.SeedGenerateBodySchema,
        'The seed documents’ form of POST /api/v1/inventory/generate',
      ),
    },
    (request, reply) => {
      const body = request.body;
      return generate(request, reply, {
        componentType: body.component_type,
        vendorCode: body.vendor_code,
        lotNumber: body.lot_number,
        manufacturingDate: body.manufacturing_date,
        count: body.count,
        warrantyYears: body.warranty_years,
      });
    },
  );

  const listSchema = {
    tags,
    summary: 'Items, filtered, newest first (or by UID), a page at a time',
    querystring: S.ItemQuerySchema,
    response: {
      200: Type.Object({
        items: Type.Array(S.ItemSchema),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
      ...PROBLEM_RESPONSES,
    },
  };
  for (const url of ['/api/v1/inventory/items', '/inventory/items'])
    api.get(url, { preValidation: guard.role('viewer'), schema: listSchema }, async (request) => {
      const page = await service.list(request.principal!.tenantId, request.query);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    });

  const ExportQuery = Type.Object(
    {
      ...Type.Omit(S.ItemQuerySchema, ['limit', 'cursor']).properties,
      format: Type.Optional(literals(['csv', 'json'] as const)),
    },
    { additionalProperties: false },
  );
  const EXPORT_COLUMNS = [
    'uid',
    'typeCode',
    'vendorCode',
    'lotNumber',
    'serial',
    'manufacturingDate',
    'warrantyYears',
    'warrantyExpires',
    'status',
    'location',
    'attributes',
    'codeContent',
    'createdAt',
    'updatedAt',
  ] as const;

  // CSV bodies for the import (read whole: they are bounded by QRFORGE_BATCH_MAX_BYTES).
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: config.batchMaxBytes },
    (_request, body, done) => done(null, body),
  );
  const ImportProblem = Type.Object({
    line: Type.Integer(),
    uid: Type.Union([Type.String(), Type.Null()]),
    message: Type.String(),
  });
  api.post(
    '/api/v1/inventory/import',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Import items or status changes from CSV, all or nothing (dryRun=true to check)',
        consumes: ['text/csv'],
        description:
          'Body: text/csv with a header. kind=status: uid, status[, location, reason]. kind=items: uid, manufacturing_date[, warranty_years, status, location]; type, vendor, lot and serial are read from the UID with the tenant template. Any bad row: 422 listing every one, nothing changed. dryRun=true reports without changing anything.',
        querystring: Type.Object(
          {
            kind: literals(IMPORT_KINDS),
            dryRun: Type.Boolean({ default: false }),
          },
          { additionalProperties: false },
        ),
        body: Type.String({ description: 'The CSV' }),
        response: {
          200: Type.Object({
            kind: literals(IMPORT_KINDS),
            dryRun: Type.Boolean(),
            rows: Type.Integer(),
            valid: Type.Integer(),
            applied: Type.Integer(),
            problems: Type.Array(ImportProblem),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      if (typeof request.body !== 'string')
        throw new AppError('HTTP_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as text/csv');
      const tenantId = request.principal!.tenantId;
      const { kind, dryRun } = request.query;
      const rows = readImportCsv(request.body, kind, config.inventoryMaxCount);
      return importCsv(context.database.db, tenantId, kind, rows, {
        dryRun,
        template: await service.idTemplate(tenantId),
        content: await service.codeContent(tenantId),
        sign: (uid) => signer.sign(tenantId, uid),
        audit: requestAuditContext(request),
      });
    },
  );

  api.get(
    '/api/v1/inventory/items/export',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Every item matching the filters, as CSV (default) or JSON, streamed',
        description:
          'The filters of GET /api/v1/inventory/items. CSV cells that a spreadsheet would run as a formula (= + - @) are escaped.',
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The items',
            content: {
              'text/csv': { schema: Type.String() },
              'application/json': { schema: Type.Array(S.ItemSchema) },
            },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const { format = 'csv', ...filters } = request.query;
      // Page by page through the same keyset list, so memory stays flat however many match.
      async function* lines() {
        let cursor: string | undefined;
        let first = true;
        if (format === 'csv') yield csvRow([...EXPORT_COLUMNS]);
        else yield '[';
        do {
          const page = await service.list(tenantId, { ...filters, limit: 1000, cursor });
          for (const item of page.items) {
            const row = view(item);
            if (format === 'csv') yield csvRow(EXPORT_COLUMNS.map((column) => row[column]));
            else {
              yield `${first ? '' : ','}\n${JSON.stringify(row)}`;
              first = false;
            }
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (format === 'json') yield '\n]\n';
      }
      return (reply as FastifyReply)
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="items.${format}"`)
        .send(Readable.from(lines()));
    },
  );

  api.get(
    '/api/v1/inventory/items/:uid',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'One item, and the statuses it may move to',
        params: UidParams,
        response: {
          200: Type.Intersect([S.ItemSchema, Type.Object({ allowed: Type.Array(S.StatusSchema) })]),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      return cache.read(tenantId, `item:${request.params.uid}`, async () => {
        const item = await service.get(tenantId, request.params.uid);
        return { ...view(item), allowed: [...TRANSITIONS[item.status]] };
      });
    },
  );

  api.get(
    '/api/v1/inventory/items/:uid/timeline',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Everything that happened to the item, oldest first',
        params: UidParams,
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                at: Type.String({ format: 'date-time' }),
                kind: Type.String(),
                fromStatus: Type.Union([Type.String(), Type.Null()]),
                toStatus: Type.Union([Type.String(), Type.Null()]),
                actorType: Type.String(),
                actorId: Type.Union([Type.String(), Type.Null()]),
                details: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => ({
      events: await service.timeline(request.principal!.tenantId, request.params.uid),
    }),
  );

  api.post(
    '/api/v1/inventory/items/:uid/status',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Move an item to another status (409 names the allowed ones)',
        params: UidParams,
        body: S.TransitionBodySchema,
        response: { 200: S.ItemSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { status, ...details } = request.body;
      const tenantId = request.principal!.tenantId;
      await service.transition(
        tenantId,
        { uids: [request.params.uid] },
        status,
        details,
        requestAuditContext(request),
      );
      return view(await service.get(tenantId, request.params.uid));
    },
  );

  api.post(
    '/api/v1/inventory/items/status',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Move many items (by UID list or a whole lot) to a status, all or nothing',
        body: S.BulkTransitionBodySchema,
        response: { 200: Type.Object({ moved: Type.Integer() }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { status, uids, lotId, ...details } = request.body;
      if (!uids === !lotId)
        throw new AppError('VALIDATION_ERR_REQUEST', 'Give either uids or lotId', {
          errors: [{ field: 'body', message: 'needs exactly one of uids, lotId' }],
        });
      if (lotId) await findLot(request.principal!.tenantId, lotId);
      return service.transition(
        request.principal!.tenantId,
        { uids, lotId },
        status,
        details,
        requestAuditContext(request),
      );
    },
  );

  api.get(
    '/api/v1/inventory/items/:uid/code',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'The item’s QR code (PNG, SVG or PDF)',
        params: UidParams,
        querystring: Type.Object(
          {
            format: Type.Optional(literals(['png', 'svg', 'pdf'] as const)),
            size: Type.Optional(Type.Integer({ minimum: 64, maximum: 2048 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The code',
            content: { 'image/png': { schema: Type.String({ format: 'binary' }) } },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const item = await service.get(request.principal!.tenantId, request.params.uid);
      const format = request.query.format ?? 'png';
      const rendered = await renderCode(item.codeContent, format, { size: request.query.size });
      return (reply as FastifyReply)
        .header('content-type', rendered.contentType)
        .header('cache-control', 'private, max-age=3600')
        .header('content-disposition', `inline; filename="${item.uid}.${format}"`)
        .send(Buffer.from(rendered.bytes));
    },
  );

  const LotSchema = Type.Object({
    id: Type.String({ format: 'uuid' }),
    typeCode: Type.String(),
    vendorCode: Type.String(),
    lotNumber: Type.String(),
    manufacturingDate: Type.String(),
    issued: Type.Integer({ description: 'Serials issued so far' }),
    createdAt: Type.String({ format: 'date-time' }),
  });
  const lotView = (lot: typeof lots.$inferSelect) => ({
    id: lot.id,
    typeCode: lot.typeCode,
    vendorCode: lot.vendorCode,
    lotNumber: lot.lotNumber,
    manufacturingDate: lot.manufacturingDate,
    issued: lot.nextSerial - 1,
    createdAt: lot.createdAt.toISOString(),
  });
  const findLot = async (tenantId: string, id: string) => {
    const [lot] = await db
      .select()
      .from(lots)
      .where(and(eq(lots.tenantId, tenantId), eq(lots.id, id)));
    if (!lot) throw new AppError('HTTP_ERR_NOT_FOUND', `No lot ${id}`);
    return lot;
  };

  api.get(
    '/api/v1/inventory/lots',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Lots, newest first',
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ lots: Type.Array(LotSchema) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const rows = await db
        .select()
        .from(lots)
        .where(eq(lots.tenantId, request.principal!.tenantId))
        .orderBy(desc(lots.createdAt))
        .limit(request.query.limit);
      return { lots: rows.map(lotView) };
    },
  );

  api.get(
    '/api/v1/inventory/lots/:id/labels',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Label sheet (PDF) of a lot: each code with its UID under it',
        params: IdParams,
        querystring: Type.Object(
          {
            page: Type.Optional(literals(['A4', 'Letter'] as const)),
            columns: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
            rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
            marginMm: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The label sheet',
            content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const lot = await findLot(tenantId, request.params.id);
      const sheet = await labelSheet(
        { ...DEFAULT_SHEET, ...request.query, labels: true },
        {},
        `Lot ${lot.lotNumber}`,
      );
      // Drawn page by page as the items are read, a thousand at a time.
      void (async () => {
        let after = 0;
        for (;;) {
          const chunk = await db
            .select({ uid: items.uid, serial: items.serial, content: items.codeContent })
            .from(items)
            .where(and(eq(items.lotId, lot.id), gt(items.serial, after)))
            .orderBy(asc(items.serial))
            .limit(1000);
          for (const item of chunk) sheet.add(item.content, item.uid);
          if (chunk.length < 1000) break;
          after = chunk.at(-1)!.serial;
        }
        sheet.end();
      })().catch((error: Error) => sheet.stream.destroy(error));
      return (reply as FastifyReply)
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="labels-${lot.lotNumber}.pdf"`)
        .send(sheet.stream);
    },
  );

  const TypeSchema = Type.Object({
    code: Type.String(),
    name: Type.String(),
    minStock: Type.Integer(),
    gtin: Type.Union([Type.String(), Type.Null()], {
      description: 'GS1 GTIN, for GS1 Digital Link codes',
    }),
    available: Type.Integer({ description: 'Items of the type in status available' }),
  });
  const typesOf = async (tenantId: string, code?: string) => {
    const rows = await db
      .select({
        code: componentTypes.code,
        name: componentTypes.name,
        minStock: componentTypes.minStock,
        gtin: componentTypes.gtin,
      })
      .from(componentTypes)
      .where(
        and(
          eq(componentTypes.tenantId, tenantId),
          code === undefined ? undefined : eq(componentTypes.code, code),
        ),
      )
      .orderBy(asc(componentTypes.code));
    const available = await db
      .select({ code: items.typeCode, n: count() })
      .from(items)
      .where(and(eq(items.tenantId, tenantId), eq(items.status, 'available')))
      .groupBy(items.typeCode);
    return rows.map((row) => ({
      ...row,
      available: Number(available.find((a) => a.code === row.code)?.n ?? 0),
    }));
  };

  api.get(
    '/api/v1/inventory/types',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Component types with their minimum stock and available count',
        response: { 200: Type.Object({ types: Type.Array(TypeSchema) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      return { types: await cache.read(tenantId, 'types', () => typesOf(tenantId)) };
    },
  );

  const gtinChecked = (gtin: string | null | undefined) => {
    const problem = gtin ? gtinProblem(gtin) : undefined;
    if (problem)
      throw new AppError('INVENTORY_ERR_CODE_CONTENT', problem, {
        errors: [{ field: 'body.gtin', message: problem }],
      });
  };

  api.post(
    '/api/v1/inventory/types',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Add a component type (types are also made by their first generation)',
        body: Type.Object(
          {
            code: Type.String({ minLength: 1, maxLength: 16 }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            minStock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
            gtin: Type.Optional(Type.String({ maxLength: 14 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: TypeSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const { code } = request.body;
      gtinChecked(request.body.gtin);
      const template = await service.idTemplate(tenantId);
      try {
        template.check('type', code);
      } catch (error) {
        if (error instanceof IdValueError)
          throw new AppError('INVENTORY_ERR_ID', error.message, {
            errors: [{ field: 'body.code', message: error.message }],
          });
        throw error;
      }
      await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(componentTypes)
          .values({ tenantId, ...request.body })
          .onConflictDoNothing()
          .returning({ id: componentTypes.id });
        if (!row)
          throw new AppError('ACCOUNT_ERR_CONFLICT', `Component type ${code} exists already`);
        await recordAudit(tx, requestAuditContext(request), {
          action: 'type.create',
          targetType: 'component-type',
          targetId: code,
          summary: request.body,
        });
      });
      return reply.code(201).send((await typesOf(tenantId, code))[0]);
    },
  );

  api.patch(
    '/api/v1/inventory/types/:code',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Rename a type or set its minimum stock (a low-stock alert opens below it)',
        params: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 16 }) },
          { additionalProperties: false },
        ),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            minStock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
            gtin: Type.Optional(
              Type.Union([Type.String({ maxLength: 14 }), Type.Null()], {
                description: 'GTIN-8, -12, -13 or -14 (check digit verified); null removes it',
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TypeSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const { code } = request.params;
      const audit = requestAuditContext(request);
      gtinChecked(request.body.gtin);
      await db.transaction(async (tx) => {
        const changed = await tx
          .update(componentTypes)
          // A JSON null arrives as "" (validator coercion): no GTIN.
          .set({
            ...request.body,
            ...('gtin' in request.body ? { gtin: request.body.gtin || null } : {}),
          })
          .where(and(eq(componentTypes.tenantId, tenantId), eq(componentTypes.code, code)))
          .returning({ id: componentTypes.id });
        if (!changed.length) throw new AppError('HTTP_ERR_NOT_FOUND', `No component type ${code}`);
        await recordAudit(tx, audit, {
          action: 'type.update',
          targetType: 'component-type',
          targetId: code,
          summary: request.body,
        });
        await checkStock(tx, tenantId, [code], audit);
      });
      return (await typesOf(tenantId, code))[0];
    },
  );

  api.get(
    '/api/v1/inventory/alerts',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Low-stock alerts, newest first (open ones only with ?open=true)',
        querystring: Type.Object(
          {
            open: Type.Optional(Type.Boolean()),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            alerts: Type.Array(
              Type.Object({
                id: Type.String({ format: 'uuid' }),
                kind: Type.String(),
                typeCode: Type.String(),
                available: Type.Integer(),
                minimum: Type.Integer(),
                openedAt: Type.String({ format: 'date-time' }),
                resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              }),
            ),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const rows = await db
        .select()
        .from(inventoryAlerts)
        .where(
          and(
            eq(inventoryAlerts.tenantId, request.principal!.tenantId),
            request.query.open ? isNull(inventoryAlerts.resolvedAt) : undefined,
          ),
        )
        .orderBy(desc(inventoryAlerts.openedAt))
        .limit(request.query.limit);
      return {
        alerts: rows.map((a) => ({
          id: a.id,
          kind: a.kind,
          typeCode: a.typeCode,
          available: a.available,
          minimum: a.minimum,
          openedAt: a.openedAt.toISOString(),
          resolvedAt: a.resolvedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  const analytics = (summary: string, querystring: TSchema, response: TSchema) => ({
    preValidation: guard.role('viewer'),
    schema: { tags, summary, querystring, response: { 200: response, ...PROBLEM_RESPONSES } },
  });
  const noQuery = Type.Object({}, { additionalProperties: false });

  api.get(
    '/api/v1/inventory/analytics/counts',
    analytics(
      'Items by status, type, vendor or lot',
      Type.Object({ by: literals(COUNT_BY) }, { additionalProperties: false }),
      Type.Object({
        by: Type.String(),
        counts: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() })),
      }),
    ),
    async (request) => {
      const { by } = request.query as { by: (typeof COUNT_BY)[number] };
      const tenantId = request.principal!.tenantId;
      return {
        by,
        counts: await cache.read(tenantId, `counts:${by}`, () => countsBy(db, tenantId, by)),
      };
    },
  );

  api.get(
    '/api/v1/inventory/analytics/throughput',
    analytics(
      'Per day (UTC): items made and status changes by target status',
      Type.Object(
        { days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }) },
        { additionalProperties: false },
      ),
      Type.Object({
        days: Type.Array(
          Type.Object({
            day: Type.String(),
            made: Type.Integer(),
            moved: Type.Record(Type.String(), Type.Integer()),
          }),
        ),
      }),
    ),
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const { days } = request.query as { days: number };
      return {
        days: await cache.read(tenantId, `throughput:${days}`, () =>
          throughput(db, tenantId, days),
        ),
      };
    },
  );

  api.get(
    '/api/v1/inventory/analytics/scrap-rate',
    analytics(
      'Scrap rate per lot, worst first',
      noQuery,
      Type.Object({
        lots: Type.Array(
          Type.Object({
            lot: Type.String(),
            type: Type.String(),
            vendor: Type.String(),
            items: Type.Integer(),
            scrapped: Type.Integer(),
            rate: Type.Number(),
          }),
        ),
      }),
    ),
    async (request) => {
      const tenantId = request.principal!.tenantId;
      return { lots: await cache.read(tenantId, 'scrap-rate', () => scrapRate(db, tenantId)) };
    },
  );

  api.get(
    '/api/v1/inventory/analytics/warranty-expiries',
    analytics(
      'Warranty expiries per month, from this month on',
      Type.Object(
        { months: Type.Integer({ minimum: 1, maximum: 120, default: 24 }) },
        { additionalProperties: false },
      ),
      Type.Object({
        months: Type.Array(Type.Object({ month: Type.String(), count: Type.Integer() })),
      }),
    ),
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const { months } = request.query as { months: number };
      return {
        months: await cache.read(tenantId, `expiries:${months}`, () =>
          warrantyExpiries(db, tenantId, months),
        ),
      };
    },
  );

  api.get(
    '/api/v1/inventory/id-schema',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'The tenant’s ID template',
        response: { 200: S.IdSchemaSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const template = await service.idTemplate(request.principal!.tenantId);
      return { template: template.template, alphabet: template.alphabet };
    },
  );

  api.put(
    '/api/v1/inventory/id-schema',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: 'Set the tenant’s ID template (new IDs only; issued ones keep theirs)',
        body: S.IdSchemaSchema,
        response: { 200: S.IdSchemaSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { template, alphabet } = request.body;
      try {
        await service.setIdTemplate(
          request.principal!.tenantId,
          template,
          alphabet,
          requestAuditContext(request),
        );
      } catch (error) {
        if (error instanceof IdTemplateError)
          throw new AppError('INVENTORY_ERR_ID', error.message, {
            errors: [{ field: 'body.template', message: error.message }],
          });
        throw error;
      }
      return { template, alphabet };
    },
  );

  const CodeContentSchema = Type.Object(
    {
      mode: literals(CODE_CONTENTS),
      baseUrl: Type.Union([Type.String({ maxLength: 200 }), Type.Null()], {
        description:
          'https://host[/path] for url (<base>/i/<uid>) and gs1 (<base>/01/<gtin>/10/<lot>/21/<serial>)',
      }),
      signed: Type.Optional(
        Type.Boolean({
          description:
            'URL forms carry a short signature of the UID (?s=): the public page tells a genuine code from a forged one',
        }),
      ),
    },
    { additionalProperties: false },
  );
  api.get(
    '/api/v1/inventory/code-content',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary:
          'What new component codes encode: the UID, a public item URL or a GS1 Digital Link',
        response: { 200: CodeContentSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => service.codeContent(request.principal!.tenantId),
  );
  api.put(
    '/api/v1/inventory/code-content',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: 'Choose what new component codes encode (items made before keep theirs)',
        body: CodeContentSchema,
        response: { 200: CodeContentSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const setting = {
        mode: request.body.mode,
        // Empty means none (the validator coerces a JSON null to "" for a string-or-null).
        baseUrl: request.body.baseUrl?.replace(/\/+$/, '') || null,
        signed: request.body.mode !== 'uid' && (request.body.signed ?? false),
      };
      await service.setCodeContent(
        request.principal!.tenantId,
        setting,
        requestAuditContext(request),
      );
      return setting;
    },
  );

  api.post(
    '/api/v1/inventory/ids/parse',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Check an ID against the tenant’s template (as a scan does)',
        body: Type.Object(
          { uid: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            reason: Type.Optional(Type.String()),
            parts: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const template = await service.idTemplate(request.principal!.tenantId);
      const result = template.parse(request.body.uid);
      return result.ok
        ? { valid: true, parts: result.parts }
        : { valid: false, reason: result.reason };
    },
  );
}
