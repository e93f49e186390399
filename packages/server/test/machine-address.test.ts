/**
 * Where a machine's controller may be (regression: any TCP host was accepted, the cloud metadata
 * address 169.254.169.254 included, and any serial path, /etc/passwd included). LAN and public
 * addresses are fine; loopback, link-local, unspecified and multicast are refused with 422 naming
 * the field unless QRFORGE_ENGRAVING_ALLOW_LOCAL=true; serial ports are device files only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { controllerAddress } from '../src/modules/engraving/machine-address.js';
import { ENGINES } from './helpers/engines.js';
import { signedInApp } from './helpers/signed-in-app.js';

let app: App;
let auth: Record<string, string>;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, auth, close } = await signedInApp(ENGINES[0], {
    engravingAllowLocal: false,
    jwtSecret: 'machine-address-secret-0123456789abcdef',
  }));
});
afterAll(() => close());

let n = 0;
const register = (connection: object) =>
  app.server.inject({
    method: 'POST',
    url: '/api/v1/engraving/machines',
    headers: auth,
    payload: { name: `M${++n}`, kind: 'diode', workArea: { x: 100, y: 100 }, connection },
  });

describe('machine connections', () => {
  it.each([
    ['192.168.1.50', 'private LAN'],
    ['10.0.0.7', 'private LAN'],
    ['172.20.3.4', 'private LAN'],
    ['fd12:3456::7', 'unique local IPv6'],
    ['93.184.215.14', 'public'],
    ['laser-3.plant.example', 'a name'],
  ])('accepts %s (%s)', async (host) => {
    expect((await register({ type: 'tcp', host, port: 23 })).statusCode).toBe(201);
  });

  it.each([
    ['169.254.169.254', 'linkLocal'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['localhost', 'this machine'],
    ['not a host!', 'not a host name'],
  ])('refuses %s (%s), naming the field', async (host, why) => {
    const res = await register({ type: 'tcp', host, port: 23 });
    expect(res.statusCode).toBe(422);
    const body = res.json<{ detail: string; errors: { field: string }[] }>();
    expect(body.errors[0].field).toBe('body.connection.host');
    expect(body.detail).toContain(why);
  });

  it('checks serial paths: device files only', async () => {
    for (const path of [
      '/dev/ttyUSB0',
      '/dev/ttyACM1',
      '/dev/serial/by-id/usb-1a86_USB2.0-Ser_-if00-port0',
      '/dev/cu.usbserial-110',
      'COM3',
    ])
      expect((await register({ type: 'serial', path, baudRate: 115200 })).statusCode).toBe(201);
    for (const path of [
      '/etc/passwd',
      '/dev/sda',
      '/dev/ttyUSB0/../../etc/passwd',
      'COM0',
      '../tty',
    ])
      expect(
        (await register({ type: 'serial', path, baudRate: 115200 })).json<{
          errors: { field: string }[];
        }>().errors[0].field,
      ).toBe('body.connection.path');
  });

  it('a change of connection is checked too', async () => {
    const created = (await register({ type: 'tcp', host: '192.168.1.9', port: 23 })).json<{
      id: string;
    }>();
    const res = await app.server.inject({
      method: 'PATCH',
      url: `/api/v1/engraving/machines/${created.id}`,
      headers: auth,
      payload: { connection: { type: 'tcp', host: '169.254.169.254', port: 80 } },
    });
    expect(res.statusCode).toBe(422);
  });

  it('at connect time, a name is checked by the addresses it resolves to', async () => {
    await expect(controllerAddress('localhost', false)).rejects.toThrow(/loopback/);
    await expect(controllerAddress('localhost', true)).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
    await expect(controllerAddress('192.168.1.50', false)).resolves.toBe('192.168.1.50');
  });
});
