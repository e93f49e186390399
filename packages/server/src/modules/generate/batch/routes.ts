/**
 * Batch routes: upload a CSV/TXT file (multipart) or send a JSON list; follow the job; download
 * the ZIP, the label sheet and the report.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError, bounded } from '../../../errors.js';
import { multipartParts, partBytes } from '../../../platform/http/multipart.js';
import { requestAuditContext } from '../../../platform/audit/audit.js';
import type { Guard } from '../../../platform/auth/guard.js';
import { PROBLEM_RESPONSES } from '../../../platform/http/problem-schema.js';
import { DownloadLinkSchema } from '../../../platform/storage/download-links.js';
import type { ModuleContext } from '../../registry.js';
import { TenantAddresses } from '../../links/addresses.js';
import { shortBase } from '../../links/short-urls.js';
import { dynamicAllowed } from '../dynamic.js';
import { DEFAULT_SHEET } from './label-sheet.js';
import { kindOf, parseInput, type InputKind } from './input.js';
import type { BatchOptions } from './run-batch.js';
import { literals } from '../schemas.js';
import {
  BatchOptionsSchema,
  BatchSchema,
  JsonBatchSchema,
  type BatchOptionsInput,
} from './schemas.js';
import { BatchService, type BatchRecord } from './service.js';

const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const FILES = ['zip', 'sheet', 'report', 'input'] as const;

export async function batchRoutes(app: FastifyInstance, context: ModuleContext & { guard: Guard }) {
  const { config, guard, queue, storage } = context;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const service = new BatchService(context.database.db, storage, queue, config.batchMaxActive);
  const addresses = new TenantAddresses(context.database.db, config.linkCacheMs);
  await app.register(multipart, {
    limits: {
      fileSize: config.batchMaxBytes,
      files: 1,
      fields: 4,
      fieldSize: 256 * 1024,
      parts: 6,
    },
  });

  /** Request options with their defaults, for the job. */
  async function resolveOptions(
    request: FastifyRequest,
    input: BatchOptionsInput,
    kind: InputKind,
  ): Promise<BatchOptions> {
    const { formats, columns, names, sheet, allOrNothing, pdf, dynamic, ...style } = input;
    if (dynamic) await dynamicAllowed(config, context.flags, request);
    return {
      kind,
      columns: columns ?? {},
      formats: formats ?? ['png'],
      style,
      pdf,
      names: names ?? (columns?.name !== undefined ? '{name}' : 'qr-{row:5}'),
      sheet: sheet && { ...DEFAULT_SHEET, ...sheet },
      allOrNothing: allOrNothing ?? false,
      // The short URLs' address: the tenant's own, else the configured public URL or this request's.
      dynamic: dynamic
        ? { base: await shortBase(addresses, config, request, request.principal!.tenantId) }
        : undefined,
    };
  }

  async function create(
    request: FastifyRequest,
    reply: FastifyReply,
    bytes: Uint8Array,
    source: string,
    kind: InputKind,
    input: BatchOptionsInput,
  ) {
    const options = await resolveOptions(request, input, kind);
    if (!options.formats.length && !options.sheet)
      throw new AppError('BATCH_ERR_INPUT', 'Ask for at least one format or a label sheet');
    const rows = parseInput(Buffer.from(bytes).toString('utf8'), kind, options.columns, {
      maxRows: config.batchMaxRows,
      maxFieldLength: config.batchMaxFieldLength,
    });
    const batch = await service.create(
      request.principal!,
      { bytes, source, rowCount: rows.length },
      options,
      requestAuditContext(request),
    );
    return reply
      .code(202)
      .header('location', `/api/v1/batches/${batch.id}`)
      .send(await view(batch));
  }

  async function view(batch: BatchRecord) {
    const job = await queue.get(batch.tenantId, batch.jobId);
    const outputs = (batch.outputs ?? {}) as Record<string, { size: number; sha256: string }>;
    const files: Record<string, { url: string; size: number; sha256: string }> = {};
    for (const [kind, info] of Object.entries(outputs))
      files[kind] = {
        url: `/api/v1/batches/${batch.id}/files/${kind}`,
        size: info.size,
        sha256: info.sha256,
      };
    return {
      id: batch.id,
      jobId: batch.jobId,
      status: job?.status ?? 'failed',
      progress: job?.progress ?? 0,
      error: job ? job.error : 'The job was not queued; create the batch again',
      source: batch.source,
      rows: batch.rowCount,
      ok: batch.okCount,
      errors: batch.errorCount,
      files,
      createdAt: batch.createdAt.toISOString(),
      finishedAt: batch.finishedAt?.toISOString() ?? null,
      events: `/api/v1/jobs/${batch.jobId}/events`,
    };
  }

  api.post(
    '/api/v1/batches',
    {
      preValidation: guard.role('operator'),
      bodyLimit: config.batchMaxBytes,
      schema: {
        tags: ['generate'],
        summary: 'Start a batch: a CSV/TXT upload (multipart: file, options) or a JSON list',
        description:
          'multipart/form-data with a `file` part (.csv or .txt) and an optional `options` field (JSON, as the JSON body without `rows`); or application/json with `rows`. Answers 202 with the batch; follow `events` or GET the batch.',
        body: {
          content: {
            'application/json': { schema: JsonBatchSchema },
            // Read part by part in the handler (validators.ts leaves multipart bodies alone).
            'multipart/form-data': {
              schema: Type.Object({
                file: Type.String({
                  format: 'binary',
                  description: 'The rows: a .csv (with a header) or .txt file (one per line)',
                }),
                options: Type.Optional(
                  Type.String({
                    description: 'JSON: the options of the JSON form, without `rows`',
                    examples: ['{"format":"png","size":400}'],
                  }),
                ),
              }),
            },
          },
        },
        response: { 202: BatchSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      if (request.isMultipart()) {
        let file: { bytes: Buffer; name: string; kind: InputKind } | undefined;
        let options: unknown = {};
        for await (const part of multipartParts(request.parts())) {
          if (part.type === 'file') {
            const kind = kindOf(part.filename, part.mimetype);
            if (part.fieldname !== 'file' || !kind)
              throw new AppError(
                'BATCH_ERR_INPUT',
                `Send one part named "file" holding a .csv or .txt file (got "${bounded(part.fieldname)}": ${bounded(part.filename)})`,
              );
            file = { bytes: await partBytes(part), name: part.filename, kind };
          } else if (part.fieldname === 'options') {
            try {
              options = JSON.parse(String(part.value));
            } catch {
              throw new AppError('VALIDATION_ERR_REQUEST', 'The options field is not valid JSON', {
                errors: [{ field: 'options', message: 'is not valid JSON' }],
              });
            }
          }
        }
        if (!file) throw new AppError('BATCH_ERR_INPUT', 'The multipart body has no "file" part');
        validate(BatchOptionsSchema, options, 'options');
        return create(
          request,
          reply,
          file.bytes,
          file.name.slice(0, 200),
          file.kind,
          options as BatchOptionsInput,
        );
      }
      validate(JsonBatchSchema, request.body, 'body');
      const { rows, ...options } = request.body as Static<typeof JsonBatchSchema>;
      if (options.columns)
        throw new AppError('BATCH_ERR_INPUT', 'columns applies to CSV uploads only');
      const csv = [
        'data,name,label',
        ...rows.map((r) => [r.data, r.name ?? '', r.label ?? ''].map(csvCell).join(',')),
      ].join('\n');
      return create(request, reply, Buffer.from(csv), 'json', 'csv', {
        ...options,
        columns: {
          data: 'data',
          name: rows.some((r) => r.name) ? 'name' : undefined,
          label: 'label',
        },
        names: options.names ?? (rows.some((r) => r.name) ? '{name}' : undefined),
      });
    },
  );

  api.get(
    '/api/v1/batches',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'Batches of the tenant, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            before: Type.Optional(
              Type.String({ format: 'date-time', description: 'createdAt of the last batch seen' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ batches: Type.Array(BatchSchema) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await service.list(
        request.principal!.tenantId,
        limit,
        before ? new Date(before) : undefined,
      );
      return { batches: await Promise.all(rows.map(view)) };
    },
  );

  const find = async (request: FastifyRequest, id: string) => {
    const batch = await service.get(request.principal!.tenantId, id);
    if (!batch) throw new AppError('HTTP_ERR_NOT_FOUND', `No batch ${id}`);
    return batch;
  };

  api.get(
    '/api/v1/batches/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'A batch: status, progress, counts, files',
        params: IdParams,
        response: { 200: BatchSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => view(await find(request, request.params.id)),
  );

  const FileParams = Type.Object(
    { id: Type.String({ format: 'uuid' }), file: literals(FILES) },
    { additionalProperties: false },
  );

  /** The storage key of one of a batch's files, or a 404 naming what is missing. */
  const fileKey = (batch: Awaited<ReturnType<typeof find>>, file: (typeof FILES)[number]) => {
    const outputs = (batch.outputs ?? {}) as Record<string, { key: string }>;
    const key = file === 'input' ? batch.inputKey : outputs[file]?.key;
    if (!key)
      throw new AppError('HTTP_ERR_NOT_FOUND', `Batch ${batch.id} has no ${file} file (yet)`);
    return key;
  };

  api.get(
    '/api/v1/batches/:id/files/:file/download-url',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'A short-lived signed link to a batch file (S3 presigned, Azure SAS, or ours)',
        params: FileParams,
        response: { 200: DownloadLinkSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const batch = await find(request, request.params.id);
      const key = fileKey(batch, request.params.file);
      const extension = key.slice(key.lastIndexOf('.') + 1);
      return context.downloads.link(key, `batch-${batch.id}-${request.params.file}.${extension}`);
    },
  );

  api.get(
    '/api/v1/batches/:id/files/:file',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['generate'],
        summary: 'Download a batch file: zip, sheet (PDF), report (CSV) or input',
        params: FileParams,
        response: {
          200: {
            description: 'The file',
            content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const batch = await find(request, request.params.id);
      const { file } = request.params;
      const key = fileKey(batch, file);
      const object = await storage.get(key);
      if (!object)
        throw new AppError(
          'STORAGE_ERR_MISSING',
          `The ${file} file of batch ${batch.id} is missing from storage`,
        );
      const extension = key.slice(key.lastIndexOf('.') + 1);
      return (reply as FastifyReply)
        .header('content-type', object.contentType)
        .header('content-length', String(object.size))
        .header('etag', `"${object.sha256}"`)
        .header(
          'content-disposition',
          `attachment; filename="batch-${batch.id}-${file}.${extension}"`,
        )
        .send(object.body);
    },
  );
}

/**
 * The route takes two body types, so it validates in the handler, with Ajv set up as Fastify's
 * (all errors, defaults, no coercion: JSON and the options field are typed already).
 */
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, discriminator: true });
const validators = new WeakMap<object, ValidateFunction>();

function validate(schema: object, value: unknown, context: string) {
  let check = validators.get(schema);
  if (!check) validators.set(schema, (check = ajv.compile(schema)));
  if (check(value)) return;
  const error = new Error('validation') as Error & {
    validation: unknown;
    validationContext: string;
    statusCode: number;
  };
  error.validation = check.errors;
  error.validationContext = context;
  error.statusCode = 400;
  throw error;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
