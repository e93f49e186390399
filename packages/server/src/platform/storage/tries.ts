/**
 * Tries with a time limit each, for SDKs that have none. Measured reason: the Azure SDK's
 * `tryTimeoutInMs` is only the server-side `timeout=` parameter, so a server that accepts the
 * connection and never answers hung an upload for as long as the test waited (60 s) — this
 * bounds every try and retries it, with exponential back-off (200 ms doubling, at most 5 s).
 */
export interface TryOptions {
  attempts: number;
  tryTimeoutMs: number;
}

export class TryTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'REQUEST_SEND_ERROR',
]);

/** Network failures, time-outs, 408, 429 and 5xx are worth another try; the caller adds more. */
export function transient(error: unknown): boolean {
  if (error instanceof TryTimeoutError) return true;
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return (
    typeof statusCode === 'number' &&
    (statusCode === 408 || statusCode === 429 || statusCode >= 500)
  );
}

export async function withTries<T>(
  options: TryOptions,
  operation: (signal: AbortSignal) => Promise<T>,
  retriable: (error: unknown) => boolean = transient,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new TryTimeoutError(`no answer within ${options.tryTimeoutMs} ms`)),
      options.tryTimeoutMs,
    );
    try {
      return await operation(controller.signal);
    } catch (caught) {
      const error: unknown = controller.signal.aborted ? controller.signal.reason : caught;
      if (attempt >= options.attempts || !retriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** (attempt - 1))));
    } finally {
      clearTimeout(timer);
    }
  }
}
