/**
 * Errors thrown by the QR engine. Each carries a stable `code` so callers (the
 * server's error catalogue) can map it to an HTTP problem without parsing text.
 */

/** An argument is outside its allowed range; thrown before any work is done. */
export class QrArgumentError extends RangeError {
  readonly code = 'QR_ERR_ARGUMENT';
  constructor(
    readonly argument: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`Invalid ${argument}=${formatValue(value)}. Expected ${expected}`);
    this.name = 'QrArgumentError';
  }
}

/** The data does not fit in the largest version allowed at the requested level. */
export class QrCapacityError extends RangeError {
  readonly code = 'QR_ERR_CAPACITY';
  constructor(
    /** Bits the data needs (segment headers included). */
    readonly requiredBits: number,
    /** Data bits available in `maxVersion` at `ecc`. */
    readonly capacityBits: number,
    readonly maxVersion: number,
    readonly ecc: string,
  ) {
    super(
      `Data too long: it needs ${requiredBits} bits (${Math.ceil(requiredBits / 8)} bytes) but ` +
        `version ${maxVersion}-${ecc} holds ${capacityBits} bits (${capacityBits >> 3} bytes)`,
    );
    this.name = 'QrCapacityError';
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  return typeof value;
}
