// The ceiling for the HTTP benchmarks: Fastify with nothing else. `/` answers "ok"; `/q/x`
// redirects; `/same`
// answers the bytes and headers of one real QR Forge response (captured by the benchmark into
// the JSON file given as the second argument), to tell the cost of the bytes on the wire from
// the cost of the platform.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => 'ok');
// A redirect with nothing behind it: the ceiling for dynamic codes.
app.get('/q/:slug', async (_request, reply) => reply.redirect('https://example.com/target', 302));
if (process.argv[3]) {
  const captured = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  const body = Buffer.from(captured.body, 'base64');
  app.get('/same', async (_request, reply) => reply.headers(captured.headers).send(body));
}
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
