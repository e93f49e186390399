/**
 * Outbound requests to user-given URLs (webhooks): refused before any connection when the address
 * is not public, whatever way it is written or resolved; the connection goes to the address that
 * was checked. DNS is stubbed: no test connects anywhere but loopback.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { figure } from './figure.js';
import {
  checkOutboundUrl,
  OutboundRefused,
  postOutbound,
  type OutboundOptions,
} from '../../src/platform/http/outbound.js';

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

let refusedBeforeConnect = 0;

/** A loopback server answering `handle`, counting its connections. */
async function receiver(handle: Parameters<typeof createServer>[1]) {
  const other = createServer(handle);
  let opened = 0;
  other.on('connection', () => opened++);
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://receiver.test:${(other.address() as { port: number }).port}/`,
    opened: () => opened,
    close: () => {
      other.closeAllConnections();
      other.close();
    },
  };
}

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
    refusedBeforeConnect++;
  });

  it('refuses other schemes and credentials in the URL', () => {
    for (const url of ['file:///etc/passwd', 'gopher://x.test/', 'data:text/plain,hi']) {
      expect(() => checkOutboundUrl(url, true)).toThrow(/Only http and https/);
      refusedBeforeConnect++;
    }
    expect(() => checkOutboundUrl('https://u:p@x.test/', true)).toThrow(/user name or password/);
  });

  it('never follows a redirect (to loopback or anywhere), caps a 50 MB answer, times out a slow one', async () => {
    const inside = await receiver((_, response) => response.end('secret'));
    const redirecting = await receiver((request, response) => {
      request.resume();
      response.writeHead(302, { location: inside.url.replace('receiver.test', '127.0.0.1') });
      response.end();
    });
    const huge = await receiver((request, response) => {
      request.resume();
      response.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 120);
      let sent = 0;
      const more = () => {
        while (sent < 50 && response.write(chunk)) sent++;
        if (sent < 50) response.once('drain', more);
        else response.end();
      };
      more();
    });
    const slow = await receiver((request, response) => {
      request.resume();
      response.writeHead(200);
      const drip = setInterval(() => response.write('.'), 100);
      response.on('close', () => clearInterval(drip));
    });
    try {
      const allowLoopback = (timeoutMs = 2000): OutboundOptions => ({
        ...options(['127.0.0.1'], true),
        timeoutMs,
        maxResponseBytes: 2 * 1024 * 1024,
      });
      const redirected = await postOutbound(redirecting.url, {}, '{}', allowLoopback());
      expect(redirected.status).toBe(302);
      expect(inside.opened()).toBe(0);

      const started = Date.now();
      const capped = await postOutbound(huge.url, {}, '{}', allowLoopback());
      const cappedMs = Date.now() - started;
      expect(capped.body.length).toBeLessThanOrEqual(2 * 1024 * 1024);

      const slowStarted = Date.now();
      await expect(postOutbound(slow.url, {}, '{}', allowLoopback(1000))).rejects.toThrow(
        /within 1000 ms/,
      );
      const slowMs = Date.now() - slowStarted;
      expect(slowMs).toBeLessThan(3000);
      figure(
        'SSRF',
        `${refusedBeforeConnect} hostile URLs refused with 0 sockets opened (loopback in 4 spellings, 0.0.0.0, private, stubbed DNS to 169.254.169.254, mixed answers, IPv6 ULA, localhost, file:/gopher:/data:); redirects never followed (302 to loopback: 0 connections); 50 MB answer cut at ${capped.body.length} bytes in ${cappedMs} ms; slow answer aborted after ${slowMs} ms; webhook timeout by default ${loadConfig({}).webhookTimeoutMs} ms`,
      );
    } finally {
      for (const s of [inside, redirecting, huge, slow]) s.close();
    }
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
