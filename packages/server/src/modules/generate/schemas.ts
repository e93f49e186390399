/**
 * Request and response schemas of the generate module. One schema per payload type, chosen by
 * `type` (an OpenAPI discriminator), so a validation error names the field of that type only.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { PAGE_SIZES } from './pdf.js';
import { literals } from '../../platform/http/literals.js';

export { literals };

const text = (maxLength: number, options: object = {}) =>
  Type.String({ minLength: 1, maxLength, ...options });
const optionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

function payload<T extends string, P extends Record<string, TSchema>>(type: T, properties: P) {
  return Type.Object(
    { type: Type.Literal(type), ...properties },
    { additionalProperties: false, title: `${type} payload` },
  );
}

const Contact = {
  firstName: optionalText(100),
  lastName: optionalText(100),
  organization: optionalText(200),
  title: optionalText(100),
  phone: optionalText(40),
  mobile: optionalText(40),
  email: optionalText(254),
  url: optionalText(2000),
  address: Type.Optional(
    Type.Object(
      {
        street: optionalText(200),
        city: optionalText(100),
        region: optionalText(100),
        postalCode: optionalText(20),
        country: optionalText(100),
      },
      { additionalProperties: false },
    ),
  ),
  note: optionalText(1000),
};

export const PAYLOAD_SCHEMAS = [
  payload('url', { url: text(4000, { examples: ['https://example.com'] }) }),
  payload('text', { text: text(7089) }),
  payload('wifi', {
    ssid: text(32),
    password: optionalText(63),
    encryption: Type.Optional(
      Type.Union([Type.Literal('WPA'), Type.Literal('WEP'), Type.Literal('nopass')]),
    ),
    hidden: Type.Optional(Type.Boolean()),
  }),
  payload('vcard', Contact),
  payload('mecard', Contact),
  payload('email', {
    to: text(254),
    subject: optionalText(998),
    body: optionalText(2000),
    cc: optionalText(254),
    bcc: optionalText(254),
  }),
  payload('sms', { phone: text(40), message: optionalText(1600) }),
  payload('tel', { phone: text(40) }),
  payload('geo', {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    altitude: Type.Optional(Type.Number()),
  }),
  payload('event', {
    summary: text(255),
    start: text(40, { description: 'ISO 8601 date-time, or date when allDay' }),
    end: optionalText(40),
    allDay: Type.Optional(Type.Boolean()),
    location: optionalText(500),
    description: optionalText(2000),
  }),
  payload('gs1', {
    gtin: Type.String({ pattern: '^\\d{8}$|^\\d{12,14}$' }),
    lot: optionalText(20),
    serial: optionalText(20),
    expiry: optionalText(10),
    domain: optionalText(253),
  }),
];

export const PayloadSchema = Type.Unsafe<Static<(typeof PAYLOAD_SCHEMAS)[number]>>({
  type: 'object',
  oneOf: PAYLOAD_SCHEMAS,
  discriminator: { propertyName: 'type' },
  description: 'Structured content; the `type` chooses the fields.',
});

export const FORMATS = ['png', 'svg', 'pdf', 'txt'] as const;
export type CodeFormat = (typeof FORMATS)[number];

/** How the code looks; shared by single codes, the render URL and batches. */
export const StyleProperties = {
  ecc: Type.Optional(literals(['L', 'M', 'Q', 'H'] as const)),
  eci: Type.Optional(
    Type.Boolean({
      description:
        'Announce the text as UTF-8 (ECI 26). Default: when the text has a character outside ASCII, so every reader (ZXing, zbar, phones) reads it exactly; false leaves it out for old readers that cannot take it.',
    }),
  ),
  size: Type.Optional(
    Type.Integer({
      minimum: 21,
      maximum: 4096,
      description:
        'Image width in pixels (png, svg); the png uses the largest whole module size that fits',
    }),
  ),
  margin: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 40, description: 'Quiet zone in modules; default 4' }),
  ),
  dark: Type.Optional(Type.String({ maxLength: 40, examples: ['#000000'] })),
  light: Type.Optional(Type.String({ maxLength: 40, examples: ['#ffffff', 'transparent'] })),
  moduleShape: Type.Optional(literals(['square', 'dot', 'rounded'] as const)),
  finderShape: Type.Optional(literals(['square', 'rounded', 'dot'] as const)),
  finderColor: Type.Optional(Type.String({ maxLength: 40 })),
  logo: Type.Optional(
    Type.Object(
      {
        image: Type.String({
          maxLength: 700_000,
          description: 'data:image/(png|jpeg|webp|gif|svg+xml);base64,… (at most ~512 KiB)',
        }),
        size: Type.Optional(
          Type.Number({ minimum: 0.05, maximum: 0.35, description: 'Share of the code width' }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
};

export const PdfProperties = {
  page: Type.Optional(literals(PAGE_SIZES)),
  sizeMm: Type.Optional(Type.Number({ minimum: 5, maximum: 500 })),
  label: Type.Optional(Type.String({ maxLength: 120 })),
};

export const CodeRequestSchema = Type.Object(
  {
    data: Type.Optional(text(7089, { description: 'Raw text to encode (or use `payload`)' })),
    payload: Type.Optional(PayloadSchema),
    format: Type.Optional(literals(FORMATS)),
    ...StyleProperties,
    pdf: Type.Optional(Type.Object(PdfProperties, { additionalProperties: false })),
    store: Type.Optional(
      Type.Boolean({ description: 'Keep the file in storage and history (signed-in callers)' }),
    ),
    dynamic: Type.Optional(
      Type.Boolean({
        description:
          'Encode a dynamic code (a short URL of ours whose target can change after printing) pointing at the URL given in `data` or a `url` payload; operators, with the links module',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CodeRequest = Static<typeof CodeRequestSchema>;
export type CodeStyle = Pick<CodeRequest, keyof typeof StyleProperties>;
