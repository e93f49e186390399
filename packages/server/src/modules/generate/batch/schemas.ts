/** Batch request options and the batch view. */
import { Type, type Static } from 'typebox';
import { FORMATS, PdfProperties, StyleProperties } from '../schemas.js';

const column = Type.Union([
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Integer({ minimum: 1, maximum: 1000 }),
]);

export const BatchOptionsSchema = Type.Object(
  {
    formats: Type.Optional(
      Type.Array(Type.Union(FORMATS.map((f) => Type.Literal(f))), {
        maxItems: 4,
        uniqueItems: true,
        description: 'Formats in the ZIP; default ["png"]; [] for a label sheet only',
      }),
    ),
    ...StyleProperties,
    pdf: Type.Optional(Type.Object(PdfProperties, { additionalProperties: false })),
    columns: Type.Optional(
      Type.Object(
        {
          data: Type.Optional(column),
          name: Type.Optional(column),
          label: Type.Optional(column),
          header: Type.Optional(
            Type.Boolean({ description: 'The CSV starts with a header row; default true' }),
          ),
        },
        {
          additionalProperties: false,
          description: 'CSV columns by header name or 1-based number',
        },
      ),
    ),
    names: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          'File-name template: {row}, {row:5} (zero-padded), {data}, {name}; default qr-{row:5}, or {name} when a name column is mapped',
      }),
    ),
    sheet: Type.Optional(
      Type.Object(
        {
          page: Type.Optional(Type.Union([Type.Literal('A4'), Type.Literal('Letter')])),
          columns: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
          marginMm: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
          labels: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false, description: 'Also make a PDF label sheet' },
      ),
    ),
    allOrNothing: Type.Optional(
      Type.Boolean({ description: 'Produce nothing when any row fails; default false' }),
    ),
    dynamic: Type.Optional(
      Type.Boolean({
        description:
          "Each row's data is a URL: make a dynamic code pointing at it and encode the code's short URL (the name column names the code); the report lists the short URLs",
      }),
    ),
  },
  { additionalProperties: false },
);
export type BatchOptionsInput = Static<typeof BatchOptionsSchema>;

export const JsonBatchSchema = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          data: Type.String({ maxLength: 7089 }),
          name: Type.Optional(Type.String({ maxLength: 200 })),
          label: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    ...BatchOptionsSchema.properties,
  },
  { additionalProperties: false },
);

export const BatchSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  jobId: Type.String({ format: 'uuid' }),
  status: Type.String({
    description: 'The job status: queued, running, completed, failed, cancelled',
  }),
  progress: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  rows: Type.Integer(),
  ok: Type.Union([Type.Integer(), Type.Null()]),
  errors: Type.Union([Type.Integer(), Type.Null()]),
  files: Type.Record(
    Type.String(),
    Type.Object({ url: Type.String(), size: Type.Integer(), sha256: Type.String() }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  events: Type.String({ description: 'Server-sent events of the job' }),
});
