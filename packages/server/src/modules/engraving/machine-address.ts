/**
 * Where a machine's controller may be: lasers live on the plant's LAN, so private addresses
 * (10/8, 172.16/12, 192.168/16, fc00::/7) and public ones are fine; this machine itself
 * (loopback, 0.0.0.0), link-local addresses — the cloud metadata service 169.254.169.254 among
 * them — multicast and reserved ranges are refused unless QRFORGE_ENGRAVING_ALLOW_LOCAL=true (a
 * serial-to-TCP bridge on this host, a test rig). A name is checked when it is resolved, just
 * before connecting, and the connection goes to the checked address. Serial ports are device
 * files only: /dev/tty*, /dev/serial/by-id/*, /dev/cu.* (macOS) or COMn (Windows).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError, bounded } from '../../errors.js';

const LAN_OR_PUBLIC = new Set(['unicast', 'private', 'uniqueLocal', 'carrierGradeNat']);
export const SERIAL_PATH =
  /^(\/dev\/tty[\w.-]*|\/dev\/serial\/by-id\/[\w:.,+@-]+|\/dev\/cu\.[\w.-]+|COM[1-9]\d{0,2})$/;

/** Why an address is refused, or undefined when a controller may be there. */
export function refusedAddress(address: string, allowLocal: boolean): string | undefined {
  if (allowLocal) return undefined;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (LAN_OR_PUBLIC.has(range)) return undefined;
  return `${address} is a ${range} address; a controller must be on the LAN (private or public addresses), or set QRFORGE_ENGRAVING_ALLOW_LOCAL=true`;
}

function refuse(field: string, message: string): never {
  throw new AppError('ENGRAVING_ERR_CONNECTION', message, {
    errors: [{ field, message }],
  });
}

/** The connection's form, checked when a machine is registered or changed (422 naming the field). */
export function checkConnection(
  connection: { type: string; host?: string; path?: string },
  allowLocal: boolean,
): void {
  if (connection.type === 'tcp') {
    const host = connection.host!.replace(/^\[(.*)\]$/, '$1');
    const why = isIP(host)
      ? refusedAddress(host, allowLocal)
      : !allowLocal && /^localhost\.?$|\.localhost\.?$/i.test(host)
        ? `${bounded(host)} is this machine; set QRFORGE_ENGRAVING_ALLOW_LOCAL=true to allow it`
        : !/^[a-z0-9]([a-z0-9-]{0,62}\.?)*$/i.test(host)
          ? `${bounded(host)} is not a host name or an IP address`
          : undefined;
    if (why) refuse('body.connection.host', why);
  }
  if (connection.type === 'serial' && !SERIAL_PATH.test(connection.path!))
    refuse(
      'body.connection.path',
      `${bounded(connection.path!)} is not a serial port: use /dev/tty*, /dev/serial/by-id/…, /dev/cu.* or COMn`,
    );
}

/** The address to connect to for a TCP controller: every address of its name checked. */
export async function controllerAddress(host: string, allowLocal: boolean): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(bare)
    ? [{ address: bare }]
    : await lookup(bare, { all: true, verbatim: true });
  for (const { address } of addresses) {
    const why = refusedAddress(address, allowLocal);
    if (why) throw new Error(`${bounded(host)}: ${why}`);
  }
  if (!addresses.length) throw new Error(`${bounded(host)} has no address`);
  return addresses[0].address;
}
