// The ceiling for the HTTP benchmark: Fastify with one route and nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => 'ok');
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
