/**
 * The worker's own small HTTP listener, so orchestrators and Prometheus see workers as they see
 * servers: `/health` (the process answers), `/ready` (the database answers), `/metrics` (job,
 * storage, engraving and runtime metrics). Nothing else is served.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export function serveWorkerHttp(
  registry: Registry,
  ready: () => Promise<void>,
  listen: { port: number; host: string },
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    const send = (status: number, type: string, body: string) =>
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (request.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    if (path === '/health') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/ready')
      return void ready().then(
        () => send(200, 'application/json', '{"status":"ready"}'),
        (error: Error) =>
          send(
            503,
            'application/json',
            JSON.stringify({ status: 'unavailable', error: error.message }),
          ),
      );
    if (path === '/metrics')
      return void registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (error: Error) => send(500, 'text/plain', `${error.message}\n`),
      );
    send(404, 'text/plain', 'The worker serves /health, /ready and /metrics only\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}
