/**
 * POST /api/v1/scans/decode: every code in one or more images (multipart, a part named `file`
 * per image). Each image is checked from its header first (type, pixel count), then decoded in a
 * worker thread. Limits: QRFORGE_SCAN_MAX_BYTES per image, QRFORGE_SCAN_MAX_IMAGES per request,
 * QRFORGE_SCAN_MAX_PIXELS per image.
 */
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Guard } from '../../platform/auth/guard.js';
import { PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import type { ModuleContext } from '../registry.js';
import { decodeUploads, ImagesUpload } from './decode-uploads.js';
import { scanMetrics } from './metrics.js';
import { sessionRoutes } from './sessions/routes.js';

const Point = Type.Object({ x: Type.Number(), y: Type.Number() });
const Grade = Type.Union([
  Type.Literal('A'),
  Type.Literal('B'),
  Type.Literal('C'),
  Type.Literal('D'),
  Type.Literal('F'),
]);
const Quality = Type.Object(
  {
    moduleSize: Type.Number({ description: 'Average module side in image pixels' }),
    contrast: Type.Number({ description: '(mean light - mean dark) / 255 at module centres' }),
    contrastGrade: Grade,
    misreadModules: Type.Integer({
      description: 'Modules sampled on the wrong side of the light/dark midpoint',
    }),
    quietZone: Type.Object({
      modules: Type.Integer({ description: 'Width the standard asks for' }),
      clear: Type.Number({ description: 'Share of quiet-zone samples that are light' }),
      ok: Type.Boolean(),
    }),
    errorCorrectionUsed: Type.Union([Type.Number(), Type.Null()], {
      description: 'Share of the error-correction capacity the read needed',
    }),
    errorCorrectionGrade: Type.Union([Grade, Type.Null()]),
    grade: Grade,
    warnings: Type.Array(Type.String()),
  },
  {
    description:
      'Grades after ISO/IEC 15415 thresholds for contrast and unused error correction, measured on the photo: an indication for QA, not a certified verification',
  },
);
const Code = Type.Object({
  text: Type.String(),
  format: Type.String({ examples: ['QRCode', 'DataMatrix', 'MicroQRCode', 'Code128'] }),
  errorCorrection: Type.String({ description: 'L, M, Q or H for QR codes' }),
  version: Type.String(),
  corners: Type.Array(Point, { description: 'top-left, top-right, bottom-right, bottom-left' }),
  quality: Type.Union([Quality, Type.Null()], {
    description: 'Null for Code 128 (linear) and with quality=false',
  }),
});
export const DecodedImage = Type.Object({
  name: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  codes: Type.Array(Code),
  attempt: Type.String({
    description:
      "The pass that found the codes: quick (ZXing, no retries), as-is (ZXing's own retries), contrast, equalised, denoised, turned; none when no pass did",
  }),
});

export async function scanRoutes(app: FastifyInstance, context: ModuleContext & { guard: Guard }) {
  const { config, guard } = context;
  const metrics = scanMetrics(context.metrics.registry);
  await app.register(multipart, {
    limits: {
      fileSize: config.scanMaxBytes,
      files: config.scanMaxImages,
      fields: 0,
      parts: config.scanMaxImages,
    },
  });
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/scans/decode',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags: ['scanning'],
        summary: 'Every code in one or more images (multipart: a part named "file" per image)',
        description:
          'PNG, JPEG, GIF or WebP. Type and size are read from each file header before decoding: a file declaring more than QRFORGE_SCAN_MAX_PIXELS pixels is refused unread (413).',
        body: {
          content: {
            // Read part by part in decodeUploads (validators.ts leaves multipart bodies alone).
            'multipart/form-data': { schema: ImagesUpload },
          },
        },
        querystring: Type.Object({
          quality: Type.Optional(
            Type.Boolean({
              default: true,
              description: "Measure each code's print quality (false: faster, `quality` is null)",
            }),
          ),
        }),
        response: {
          200: Type.Object({ images: Type.Array(DecodedImage) }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      // The flag can switch the report off for everyone (it costs CPU); it never switches it on.
      const measure =
        request.query.quality !== false &&
        (await context.flags.isOn('scan-quality-report', {
          tenantId: request.principal!.tenantId,
        }));
      return { images: await decodeUploads(request, config, { quality: measure, metrics }) };
    },
  );
  await sessionRoutes(app, { ...context, scanMetrics: metrics });
}
