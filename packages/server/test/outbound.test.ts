/**
 * Outbound requests to user-given URLs (webhooks): refused before any connection when the address
 * is not public, whatever way it is written or resolved; the connection goes to the address that
 * was checked. DNS is stubbed: no test connects anywhere but loopback.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutboundUrl,
  OutboundRefused,
  postOutbound,
  type OutboundOptions,
} from '../src/platform/http/outbound.js';

let server: Server;
let port: number;
let connections = 0;
let lastHost: string | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    lastHost = request.headers.host;
    request.resume();
    request.on('end', () => response.writeHead(200).end('x'.repeat(10_000)));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

const options = (resolved: string[], allowPrivate = false): OutboundOptions => ({
  allowPrivate,
  timeoutMs: 2000,
  maxResponseBytes: 100,
  resolve: async () =>
    resolved.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
});

describe('outbound requests', () => {
  it.each([
    [`http://127.0.0.1:PORT/`, [], 'loopback'],
    [`http://[::1]:PORT/`, [], 'loopback'],
    [`http://[::ffff:127.0.0.1]:PORT/`, [], 'loopback'],
    [`http://2130706433:PORT/`, [], 'loopback'],
    [`http://0.0.0.0:PORT/`, [], 'unspecified'],
    [`http://10.1.2.3:PORT/`, [], 'private'],
    [`http://metadata.test:PORT/`, ['169.254.169.254'], 'linkLocal'],
    [`http://mixed.test:PORT/`, ['93.184.216.34', '192.168.1.10'], 'private'],
    [`http://v6.test:PORT/`, ['fd00::1'], 'uniqueLocal'],
    [`http://localhost:PORT/`, ['127.0.0.1'], 'this machine'],
  ])('refuses %s before connecting (%s)', async (raw, resolved, why) => {
    const before = connections;
    const url = raw.replace('PORT', String(port));
    const attempt = postOutbound(url, {}, '{}', options(resolved));
    await expect(attempt).rejects.toBeInstanceOf(OutboundRefused);
    await expect(attempt).rejects.toThrow(why);
    expect(connections).toBe(before);
  });

  it('refuses other schemes and credentials in the URL', () => {
    for (const url of ['file:///etc/passwd', 'gopher://x.test/', 'data:text/plain,hi'])
      expect(() => checkOutboundUrl(url, true)).toThrow(/Only http and https/);
    expect(() => checkOutboundUrl('https://u:p@x.test/', true)).toThrow(/user name or password/);
  });

  it('connects to the address it checked, sending the name as Host, and keeps a bounded answer', async () => {
    const answer = await postOutbound(
      `http://receiver.test:${port}/hook`,
      { 'content-type': 'application/json' },
      '{"a":1}',
      options(['127.0.0.1'], true),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(100);
    expect(lastHost).toBe(`receiver.test:${port}`);
  });

  it('names a name that does not resolve', async () => {
    const failing: OutboundOptions = {
      ...options([]),
      resolve: () => Promise.reject(new Error('getaddrinfo ENOTFOUND nowhere.test')),
    };
    await expect(postOutbound('http://nowhere.test/', {}, '', failing)).rejects.toThrow(
      'nowhere.test could not be resolved (getaddrinfo ENOTFOUND nowhere.test)',
    );
  });
});
