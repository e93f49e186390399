/**
 * The error catalogue: every error the API returns has a stable code, an HTTP status and a title.
 * Bodies are RFC 9457 problem+json: { type, title, status, detail, code, requestId, ...extra }.
 * Codes are listed in docs/errors.md and never reused.
 */

export const ERROR_CATALOGUE = {
  VALIDATION_ERR_REQUEST: { status: 400, title: 'The request is not valid' },
  AUTH_ERR_UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  AUTH_ERR_FORBIDDEN: { status: 403, title: 'Not allowed for this role' },
  FEATURE_ERR_OFF: { status: 403, title: 'The feature is switched off' },
  HTTP_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  ACCOUNT_ERR_CONFLICT: { status: 409, title: 'It exists already' },
  SETUP_ERR_DONE: { status: 409, title: 'QR Forge is set up already' },
  SETUP_ERR_NOT_LOCAL: { status: 403, title: 'First-run setup only from this machine' },
  JOB_ERR_FINISHED: { status: 409, title: 'The job has already finished' },
  ACCOUNT_ERR_WEAK_PASSWORD: { status: 422, title: 'The password is not allowed' },
  HTTP_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  HTTP_ERR_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  HTTP_ERR_URI_TOO_LONG: { status: 414, title: 'A path segment is too long' },
  HTTP_ERR_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  HTTP_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  HTTP_ERR_MULTIPART: { status: 400, title: 'The multipart body is malformed' },
  BATCH_ERR_INPUT: { status: 422, title: 'The batch input cannot be used' },
  BATCH_ERR_TOO_MANY_ROWS: { status: 413, title: 'The batch has too many rows' },
  BATCH_ERR_TOO_MANY_ACTIVE: { status: 429, title: 'Too many unfinished batches' },
  INVENTORY_ERR_ID: { status: 422, title: 'The value does not fit the ID schema' },
  INVENTORY_ERR_TOO_MANY: { status: 413, title: 'Too many items in one request' },
  INVENTORY_ERR_SERIALS_EXHAUSTED: { status: 409, title: 'The lot has no serials left' },
  INVENTORY_ERR_CODE_CONTENT: { status: 422, title: 'The code content choice cannot be used' },
  INVENTORY_ERR_IMPORT: { status: 422, title: 'The import cannot be applied' },
  INVENTORY_ERR_TRANSITION: { status: 409, title: 'The status change is not allowed' },
  SCAN_ERR_IMAGE: { status: 422, title: 'The image cannot be read' },
  SCAN_ERR_TOO_LARGE: { status: 413, title: 'The image has too many pixels' },
  SCAN_ERR_FILE_TOO_LARGE: { status: 413, title: 'The image file is too large' },
  SCAN_ERR_SESSION_CLOSED: { status: 409, title: 'The scan session is closed' },
  SCAN_ERR_EXPECTED: { status: 422, title: 'The expected set cannot be used' },
  SCAN_ERR_TOO_MANY: { status: 413, title: 'Too many items or scans in one request' },
  ENGRAVING_ERR_ITEMS: { status: 422, title: 'The items cannot be engraved' },
  ENGRAVING_ERR_TOOLPATH: { status: 422, title: 'The toolpath cannot be made' },
  ENGRAVING_ERR_STATE: { status: 409, title: 'The job cannot do that now' },
  LINK_ERR_INVALID: { status: 422, title: 'The dynamic code cannot be saved' },
  LINK_ERR_GONE: { status: 410, title: 'The code is switched off or has expired' },
  PAGE_ERR_SIGNATURE: { status: 403, title: 'The signature does not match' },
  PAGE_ERR_FORM: { status: 422, title: 'The form cannot be accepted' },
  ENGRAVING_ERR_CONNECTION: { status: 422, title: 'The machine connection is not allowed' },
  ENGRAVING_ERR_MACHINE_BUSY: { status: 409, title: 'The machine is busy' },
  WEBHOOK_ERR_URL: { status: 422, title: 'The webhook URL is not allowed' },
  WEBHOOK_ERR_EVENT_TYPE: { status: 422, title: 'Unknown event type' },
  WEBHOOK_ERR_LIMIT: { status: 409, title: 'Too many webhooks' },
  QR_ERR_ARGUMENT: { status: 422, title: 'A QR option is out of range' },
  QR_ERR_CAPACITY: { status: 422, title: 'The data does not fit in a QR code' },
  IDEMPOTENCY_ERR_KEY_REUSED: {
    status: 422,
    title: 'The Idempotency-Key was used for another request',
  },
  IDEMPOTENCY_ERR_IN_PROGRESS: {
    status: 409,
    title: 'A request with this Idempotency-Key is in progress',
  },
  HTTP_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  STORAGE_ERR_MISSING: { status: 500, title: 'A stored file is missing' },
  SERVER_ERR_INTERNAL: { status: 500, title: 'Internal error' },
  SERVER_ERR_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A piece of the client's input as a detail quotes it: at most `max` characters. */
export function bounded(input: string, max = 100): string {
  return input.length > max ? `${input.slice(0, max)}…` : input;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    /** Extra members for the problem body (e.g. `errors` for validation). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  [member: string]: unknown;
}

export function problem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): Problem {
  const { status, title } = ERROR_CATALOGUE[code];
  return {
    type: `urn:qrforge:error:${code.toLowerCase()}`,
    title,
    status,
    detail,
    code,
    requestId,
    ...extra,
  };
}
