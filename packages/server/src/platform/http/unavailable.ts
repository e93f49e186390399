/**
 * Errors that mean "a dependency is unreachable right now" (the database or Redis refused, reset
 * or dropped the connection): the request answers 503 with Retry-After, the client may retry, and
 * it is logged as a warning, not as a bug. The cause is looked for along the error's `cause` chain
 * (drizzle wraps the driver's error).
 */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** PostgreSQL SQLSTATE classes 08 (connection exception) and 57P0x (server shutting down). */
const POSTGRES = /^(08\d{3}|57P0[1-3])$/;
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Stream isn't writeable/i;

export function isUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK.has(code) || POSTGRES.test(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
  }
  return false;
}
