/**
 * GET /tls/ca.pem: the local certificate authority of `qrforge tls init`, for a phone to download
 * and trust (then the HTTPS page opens without a warning). Only the public certificate; present
 * only when that CA exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { tlsFiles } from './files.js';

export function registerCaDownload(app: FastifyInstance, dataDir: string): void {
  const path = tlsFiles(dataDir).ca;
  if (!existsSync(path)) return;
  app.get(
    '/tls/ca.pem',
    {
      schema: {
        tags: ['health'],
        summary: 'The local certificate authority (qrforge tls init), to trust on a phone',
        description:
          'Public: the CA certificate only. Android: Settings > Security > Install a certificate > CA certificate. iOS: open it in Safari, install the profile, then trust it under General > About > Certificate Trust Settings.',
        response: {
          200: {
            description: 'The CA certificate (PEM)',
            content: { 'application/x-x509-ca-cert': { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/x-x509-ca-cert')
        .header('content-disposition', 'attachment; filename="qrforge-ca.pem"')
        .header('cache-control', 'no-cache')
        .send(readFileSync(path)),
  );
}
