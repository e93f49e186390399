/**
 * The images of a multipart request (a part named `file` each): every file checked from its
 * header first (type, pixel count: QRFORGE_SCAN_MAX_PIXELS), then decoded in a worker thread.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, bounded } from '../../errors.js';
import { multipartParts, partBytes } from '../../platform/http/multipart.js';
import type { ModuleContext } from '../registry.js';
import { decodePool } from './decode-pool.js';
import type { DecodeResult } from './decode-worker.js';
import { checkImage } from './image-check.js';
import type { ScanMetrics } from './metrics.js';

/** The multipart body of the photo uploads, for the OpenAPI document. */
export const ImagesUpload = Type.Object({
  file: Type.Array(Type.String({ format: 'binary' }), {
    description: 'One part named `file` per image: PNG, JPEG, GIF or WebP',
  }),
});

export type DecodedUpload = {
  name: string;
  width: number;
  height: number;
  /** SHA-256 of the file, hex: the same photo sent twice is recognised. */
  digest: string;
} & DecodeResult;

export async function decodeUploads(
  request: FastifyRequest,
  config: ModuleContext['config'],
  options: { quality: boolean; metrics: ScanMetrics },
): Promise<DecodedUpload[]> {
  if (!request.isMultipart())
    throw new AppError(
      'HTTP_ERR_UNSUPPORTED_MEDIA_TYPE',
      'Send the images as multipart/form-data, one part named "file" per image',
    );
  const images: DecodedUpload[] = [];
  for await (const part of multipartParts(request.files())) {
    const name: string = bounded(part.filename || `image ${images.length + 1}`);
    if (part.fieldname !== 'file')
      throw new AppError(
        'SCAN_ERR_IMAGE',
        `Name each image part "file" (got "${bounded(part.fieldname)}")`,
      );
    const bytes = await partBytes(part).catch((error: { code?: string }) => {
      if (error.code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
      throw new AppError(
        'SCAN_ERR_FILE_TOO_LARGE',
        `${name} is larger than ${config.scanMaxBytes.toLocaleString('en')} bytes (QRFORGE_SCAN_MAX_BYTES)`,
      );
    });
    const size = checkImage(bytes, name, config.scanMaxPixels);
    const timer = options.metrics.decodeSeconds.startTimer();
    const decoded = await decodePool().run({
      bytes,
      type: size.type,
      maxPixels: config.scanMaxPixels,
      quality: options.quality,
    });
    timer();
    if ('error' in decoded)
      throw new AppError('SCAN_ERR_IMAGE', `${name} cannot be read: ${decoded.error}`);
    const digest = createHash('sha256').update(bytes).digest('hex');
    options.metrics.images.inc({ attempt: decoded.attempt });
    images.push({ name, width: size.width, height: size.height, digest, ...decoded });
  }
  if (!images.length)
    throw new AppError('SCAN_ERR_IMAGE', 'The request has no image: add a part named "file"');
  return images;
}
