/**
 * Short-lived download links for stored objects. S3 and Azure sign their own (presigned URL,
 * SAS), so the bytes go straight from the service to the user; for local storage (and an Azure
 * credential without an account key) the API signs a link to GET /api/v1/downloads, which
 * streams the object with its SHA-256 checked.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { UrlSigner } from '../auth/url-signer.js';
import { PROBLEM_RESPONSES } from '../http/problem-schema.js';
import type { ObjectStore } from './storage.js';

export interface DownloadLink {
  /** Absolute (S3, Azure) or relative to the API (`/api/v1/downloads?…`). */
  url: string;
  expiresAt: string;
}

export const DownloadLinkSchema = Type.Object({
  url: Type.String({ description: 'Absolute (S3, Azure) or relative to this API (local storage)' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export class DownloadLinks {
  private readonly signer: UrlSigner;

  constructor(
    private readonly store: ObjectStore,
    secret: Uint8Array,
    private readonly ttlSeconds: number,
  ) {
    this.signer = new UrlSigner(secret, 'download-url v1');
  }

  async link(key: string, filename: string): Promise<DownloadLink> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const presigned = await this.store.presign(key, {
      expiresInSeconds: this.ttlSeconds,
      filename,
    });
    const url =
      presigned ?? `/api/v1/downloads?${this.signer.sign({ key, name: filename }, expiresAt)}`;
    return { url, expiresAt: expiresAt.toISOString() };
  }

  /** GET /api/v1/downloads: the object a signed link names, to anyone holding the link. */
  routes(app: FastifyInstance): void {
    app.get(
      '/api/v1/downloads',
      {
        schema: {
          tags: ['storage'],
          summary: 'Download a stored file through a signed link (no credentials needed)',
          querystring: Type.Object({
            key: Type.String({ maxLength: 512 }),
            name: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' }),
            exp: Type.Integer(),
            sig: Type.String({ maxLength: 100 }),
          }),
          response: {
            200: {
              description: 'The file',
              content: {
                'application/octet-stream': { schema: Type.String({ format: 'binary' }) },
              },
            },
            ...PROBLEM_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const query = request.query as { key: string; name: string };
        const verdict = this.signer.verify(request.query as Record<string, unknown>);
        if (verdict !== 'valid')
          throw new AppError(
            'AUTH_ERR_UNAUTHENTICATED',
            verdict === 'expired'
              ? 'This download link has expired'
              : 'This download link signature is not valid',
          );
        const object = await this.store.get(query.key);
        if (!object)
          throw new AppError('STORAGE_ERR_MISSING', 'The linked file is missing from storage');
        return (reply as FastifyReply)
          .header('content-type', object.contentType)
          .header('content-length', String(object.size))
          .header('etag', `"${object.sha256}"`)
          .header('cache-control', 'private, max-age=300')
          .header('content-disposition', `attachment; filename="${query.name}"`)
          .send(object.body);
      },
    );
  }
}
