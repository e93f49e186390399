/** Request and answer shapes of the inventory API. */
import { Type, type Static } from 'typebox';
import { literals } from '../generate/schemas.js';
import { ITEM_STATUSES } from './lifecycle.js';

const strict = { additionalProperties: false } as const;
const Day = Type.String({ format: 'date', description: 'yyyy-mm-dd' });
export const StatusSchema = literals(ITEM_STATUSES);

export const GenerateBodySchema = Type.Object(
  {
    componentType: Type.String({ minLength: 1, maxLength: 16, examples: ['PAD'] }),
    vendorCode: Type.String({ minLength: 1, maxLength: 16, examples: ['V0100'] }),
    lotNumber: Type.String({ minLength: 1, maxLength: 32, examples: ['L2025-09'] }),
    manufacturingDate: Day,
    count: Type.Integer({ minimum: 1 }),
    warrantyYears: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  strict,
);
export type GenerateBody = Static<typeof GenerateBodySchema>;

/** The seed documents' body for POST /qr/generate. */
export const SeedGenerateBodySchema = Type.Object(
  {
    component_type: GenerateBodySchema.properties.componentType,
    vendor_code: GenerateBodySchema.properties.vendorCode,
    lot_number: GenerateBodySchema.properties.lotNumber,
    manufacturing_date: Day,
    count: GenerateBodySchema.properties.count,
    warranty_years: GenerateBodySchema.properties.warrantyYears,
  },
  strict,
);

export const ItemSchema = Type.Object({
  uid: Type.String(),
  typeCode: Type.String(),
  vendorCode: Type.String(),
  lotNumber: Type.String(),
  serial: Type.Integer(),
  manufacturingDate: Type.String(),
  warrantyYears: Type.Integer(),
  warrantyExpires: Type.Union([Type.String(), Type.Null()]),
  status: StatusSchema,
  location: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  codeContent: Type.String({ description: 'What the item’s QR code encodes' }),
  code: Type.String({ description: 'The item’s QR code (PNG; ?format=svg or pdf)' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const GenerateReplySchema = Type.Object({
  lotId: Type.String({ format: 'uuid' }),
  count: Type.Integer(),
  firstSerial: Type.Integer(),
  lastSerial: Type.Integer(),
  firstUid: Type.String(),
  lastUid: Type.String(),
  /** The items when made at once (201); absent when a job makes them (202). */
  items: Type.Optional(Type.Array(Type.Object({ uid: Type.String(), code: Type.String() }))),
  jobId: Type.Optional(Type.String({ format: 'uuid' })),
  events: Type.Optional(Type.String()),
  labels: Type.String({ description: 'Label sheet PDF of the lot' }),
});

export const ItemQuerySchema = Type.Object(
  {
    status: Type.Optional(StatusSchema),
    type: Type.Optional(Type.String({ maxLength: 16 })),
    vendor: Type.Optional(Type.String({ maxLength: 16 })),
    lot: Type.Optional(Type.String({ maxLength: 32 })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'Text in the UID, from the start of a token (after - . /): L2026-03-0001, V0100, 00042',
      }),
    ),
    createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
    createdTo: Type.Optional(Type.String({ format: 'date-time' })),
    manufacturedFrom: Type.Optional(Day),
    manufacturedTo: Type.Optional(Day),
    warrantyBefore: Type.Optional(
      Type.String({ format: 'date', description: 'Warranty expiring before this day' }),
    ),
    sort: Type.Optional(literals(['-createdAt', 'createdAt', 'uid', '-uid'] as const)),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  strict,
);
export type ItemQuery = Static<typeof ItemQuerySchema>;

export const TransitionBodySchema = Type.Object(
  {
    status: StatusSchema,
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const BulkTransitionBodySchema = Type.Object(
  {
    status: StatusSchema,
    uids: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        minItems: 1,
        maxItems: 10_000,
        uniqueItems: true,
      }),
    ),
    lotId: Type.Optional(Type.String({ format: 'uuid', description: 'Every item of the lot' })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const IdSchemaSchema = Type.Object(
  {
    template: Type.String({
      minLength: 1,
      maxLength: 100,
      examples: ['{type}-{vendor}-{lot}-{serial:5}'],
    }),
    alphabet: Type.String({
      minLength: 2,
      maxLength: 36,
      examples: ['ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
    }),
  },
  strict,
);
