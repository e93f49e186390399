/**
 * Scan sessions under /api/v1/scans/sessions: open, scan (text from a camera page or a
 * keyboard-wedge scanner, or photos), follow the summary and the missing items, close.
 */
import { ItemSigner } from '../../inventory/item-signature.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requestAuditContext } from '../../../platform/audit/audit.js';
import type { Guard } from '../../../platform/auth/guard.js';
import { PROBLEM_RESPONSES } from '../../../platform/http/problem-schema.js';
import { literals } from '../../../platform/http/literals.js';
import { ITEM_STATUSES } from '../../inventory/lifecycle.js';
import { ReadCache } from '../../inventory/read-cache.js';
import { InventoryService } from '../../inventory/service.js';
import type { ModuleContext } from '../../registry.js';
import { decodeUploads, ImagesUpload } from '../decode-uploads.js';
import type { ScanMetrics } from '../metrics.js';
import { SCAN_RESULTS, SCAN_SOURCES } from '../schema.js';
import { ScanSessionService, type SessionRow } from './service.js';

const tags = ['scanning'];
const Status = literals(ITEM_STATUSES);
const Result = literals(SCAN_RESULTS);
const Uids = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1 });
const Part = { minLength: 1, maxLength: 32 };

const Expected = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('lot'),
        lot: Type.String(Part),
        type: Type.Optional(Type.String(Part)),
        vendor: Type.Optional(Type.String(Part)),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('range'),
        lot: Type.String(Part),
        type: Type.Optional(Type.String(Part)),
        vendor: Type.Optional(Type.String(Part)),
        from: Type.Integer({ minimum: 1 }),
        to: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    Type.Object({ kind: Type.Literal('list'), uids: Uids }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('shipment'),
        reference: Type.String({ minLength: 1, maxLength: 100 }),
        uids: Uids,
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'What the session expects: a lot (optionally of one type and vendor), a serial range of a lot, a list of UIDs, or a shipment (its reference and packing list)',
  },
);

const Counts = Type.Object(Object.fromEntries(SCAN_RESULTS.map((r) => [r, Type.Integer()])));
const Summary = Type.Object({
  scans: Type.Integer(),
  expected: Type.Union([Type.Integer(), Type.Null()]),
  found: Type.Union([Type.Integer(), Type.Null()]),
  missing: Type.Union([Type.Integer(), Type.Null()]),
  byResult: Counts,
});
const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  operator: Type.String(),
  status: literals(['open', 'closed'] as const),
  expected: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  targetStatus: Type.Union([Status, Type.Null()]),
  createdAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  /** Items moved at closing. */
  moved: Type.Union([Type.Integer(), Type.Null()]),
  summary: Summary,
});
const Scan = Type.Object({
  id: Type.Integer(),
  clientId: Type.String(),
  text: Type.String(),
  uid: Type.Union([Type.String(), Type.Null()]),
  result: Result,
  detail: Type.Union([Type.String(), Type.Null()]),
  source: literals(SCAN_SOURCES),
  scannedAt: Type.String(),
  receivedAt: Type.String(),
});
const ClassifiedScan = Type.Object({
  ...Scan.properties,
  status: Type.Union([Type.String(), Type.Null()], { description: "The item's status" }),
  type: Type.Union([Type.String(), Type.Null()], { description: "The item's component type" }),
});
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export async function sessionRoutes(
  app: FastifyInstance,
  context: ModuleContext & { guard: Guard; scanMetrics: ScanMetrics },
) {
  const { guard, config, scanMetrics: metrics } = context;
  const counted = <T extends { result: string }>(scans: T[]) => {
    for (const scan of scans) metrics.scans.inc({ result: scan.result });
    return scans;
  };
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const inventory = new InventoryService(
    context.database.db,
    context.queue,
    { maxCount: config.inventoryMaxCount, syncCount: config.inventorySyncCount },
    new ItemSigner(context.secret),
  );
  const service = new ScanSessionService(
    context.database.db,
    (tenantId) => inventory.idTemplate(tenantId),
    { maxExpected: config.scanSessionMaxExpected, maxBatch: config.scanBatchMax },
  );
  const cache = new ReadCache(context.redis);
  const view = async (session: SessionRow) => ({
    id: session.id,
    name: session.name,
    operator: session.operator,
    status: session.status,
    expected: session.expected as Record<string, unknown> | null,
    targetStatus: session.targetStatus,
    createdAt: session.createdAt.toISOString(),
    closedAt: session.closedAt?.toISOString() ?? null,
    moved: (session.closing as { moved?: number } | null)?.moved ?? null,
    summary: await service.summary(session.id, session.expected !== null),
  });

  api.post(
    '/api/v1/scans/sessions',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          'Open a scan session, optionally expecting a lot, a serial range, a list or a shipment',
        description:
          'With targetStatus, closing the session moves every item scanned `ok` to it (e.g. `available` when receiving, `shipped` when packing), and a scan of an item that cannot make that move is `wrong-status`.',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            expected: Type.Optional(Expected),
            targetStatus: Type.Optional(Status),
          },
          { additionalProperties: false },
        ),
        response: { 201: Session, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const session = await service.open(
        request.principal!.tenantId,
        request.body,
        requestAuditContext(request),
      );
      return reply.code(201).send(await view(session));
    },
  );

  api.get(
    '/api/v1/scans/sessions',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Scan sessions, newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(literals(['open', 'closed'] as const)),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ sessions: Type.Array(Session) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const rows = await service.list(request.principal!.tenantId, status, limit);
      return { sessions: await Promise.all(rows.map(view)) };
    },
  );

  api.get(
    '/api/v1/scans/sessions/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'A scan session and its summary: expected, found, missing, counts by result',
        params: IdParams,
        response: { 200: Session, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => view(await service.get(request.principal!.tenantId, request.params.id)),
  );

  api.post(
    '/api/v1/scans/sessions/:id/scans',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Record scans (text as read) and classify each at once',
        description:
          "Each scan is ok, unknown (not in the inventory), duplicate (already scanned in this session), unexpected (not in the expected set), wrong-status, or invalid-id (not an ID of the tenant's schema). A scan with a clientId the session has seen returns its first answer, so a phone can resend what it read offline. Text may be a UID, an item page URL or a GS1 Digital Link.",
        params: IdParams,
        body: Type.Object(
          {
            scans: Type.Array(
              Type.Object(
                {
                  text: Type.String({ minLength: 1, maxLength: 2000 }),
                  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
                  scannedAt: Type.Optional(Type.String({ format: 'date-time' })),
                  source: Type.Optional(literals(SCAN_SOURCES)),
                },
                { additionalProperties: false },
              ),
              { minItems: 1 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ scans: Type.Array(ClassifiedScan), summary: Summary }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const results = counted(
        await service.submit(tenantId, request.params.id, request.body.scans),
      );
      const session = await service.get(tenantId, request.params.id);
      return {
        scans: results,
        summary: await service.summary(session.id, session.expected !== null),
      };
    },
  );

  api.post(
    '/api/v1/scans/sessions/:id/images',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary: 'Record every code found in photos (multipart, a part named "file" per image)',
        description:
          "Each code becomes a scan with source `image`; sending the same photo again changes nothing (its scans are keyed by the file's SHA-256 and the code).",
        params: IdParams,
        body: { content: { 'multipart/form-data': { schema: ImagesUpload } } },
        response: {
          200: Type.Object({
            images: Type.Array(
              Type.Object({
                name: Type.String(),
                attempt: Type.String(),
                scans: Type.Array(ClassifiedScan),
              }),
            ),
            summary: Summary,
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const session = await service.get(tenantId, request.params.id);
      const decoded = await decodeUploads(request, config, { quality: false, metrics });
      const images = [];
      for (const image of decoded) {
        const scans = image.codes.length
          ? counted(
              await service.submit(
                tenantId,
                session.id,
                image.codes.map((code) => ({
                  text: code.text,
                  clientId: `image:${image.digest.slice(0, 32)}:${code.format}:${code.text}`.slice(
                    0,
                    100,
                  ),
                  source: 'image' as const,
                })),
              ),
            )
          : [];
        images.push({ name: image.name, attempt: image.attempt, scans });
      }
      return { images, summary: await service.summary(session.id, session.expected !== null) };
    },
  );

  api.get(
    '/api/v1/scans/sessions/:id/scans',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'The scans of a session in the order they arrived',
        params: IdParams,
        querystring: Type.Object(
          {
            result: Type.Optional(Result),
            after: Type.Optional(Type.Integer({ minimum: 0, description: 'Scans after this id' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ scans: Type.Array(Scan) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const session = await service.get(request.principal!.tenantId, request.params.id);
      return { scans: await service.scans(session.id, request.query) };
    },
  );

  api.get(
    '/api/v1/scans/sessions/:id/missing',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Expected items not scanned yet',
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ uid: Type.String(), status: Status })),
          }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const session = await service.get(request.principal!.tenantId, request.params.id);
      return { items: await service.missing(session.id, request.query.limit) };
    },
  );

  api.post(
    '/api/v1/scans/sessions/:id/close',
    {
      preValidation: [
        guard.role('operator'),
        // No body at all means the defaults.
        async (request) => {
          request.body ??= { apply: true };
        },
      ],
      schema: {
        tags,
        summary: "Close the session, moving every ok item to the session's target status",
        description:
          'One transaction: the items move (each timeline gets the change, with the session), the audit trail records the close, and `scan.session.closed` is published. If an item scanned ok can no longer make the move, nothing changes (409). `apply: false` closes without moving anything.',
        params: IdParams,
        body: Type.Object(
          {
            apply: Type.Boolean({ default: true }),
            location: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const { apply, location, reason } = request.body;
      const closed = await service.close(
        tenantId,
        request.params.id,
        { apply, location, reason },
        requestAuditContext(request),
      );
      // Statuses changed: the tenant's cached inventory reads are out of date.
      if ((closed.closing as { moved: number }).moved) await cache.invalidate(tenantId);
      return view(closed);
    },
  );
}
