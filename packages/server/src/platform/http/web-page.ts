/**
 * The web page (apps/web, built by `npm run build`) served at `/` by the API process: one port,
 * one process. Files come from the build folder; any other GET for a page (not /api, asking for
 * HTML) gets index.html, so the page's own routes (/generate, …) work on reload. Without a build
 * the API runs alone and says so once.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const WEB_ROOT = fileURLToPath(new URL('../../../../../apps/web/dist/', import.meta.url));

/** Registers the files; returns the fallback for page routes, or undefined without a build. */
export async function registerWebPage(
  app: FastifyInstance,
  root = WEB_ROOT,
): Promise<((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined> {
  if (!existsSync(`${root}/index.html`)) {
    app.log.info(`no web page build in ${root} (npm run build): serving the API only`);
    return undefined;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    // The build keeps a .br and a .gz of each text asset (apps/web/scripts/precompress.mjs):
    // sent with Content-Encoding and Vary: Accept-Encoding, never compressed per request.
    preCompressed: true,
    // Vite names assets by content hash: they never change under a name.
    setHeaders: (response, path) => {
      response.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return (request, reply) => {
    const path = request.url.split('?')[0];
    if (request.method !== 'GET' || path.startsWith('/api/')) return false;
    // The root is the page whatever the client accepts: @fastify/static's root index route (with
    // `wildcard: false` and `preCompressed`) looks for ".br" and gives up when the client takes br.
    if (path !== '/' && !request.headers.accept?.includes('text/html')) return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
}
