/**
 * Failed-login throttling (ASVS 5 V6.3.1): after `maxFailures` failures within `windowMs` for one
 * account or one client IP, further attempts get 429 until the oldest failure leaves the window.
 * In memory, bounded in size so a flood of distinct keys cannot exhaust memory.
 */
export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Most keys tracked; the least recently failed are dropped first. */
  maxKeys?: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until a key may try again, 0 when none of the keys is blocked. */
  retryAfter(keys: string[]): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key);
      if (recent.length >= this.options.maxFailures) {
        wait = Math.max(wait, Math.ceil((recent[0] + this.options.windowMs - this.now()) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[]): void {
    for (const key of keys) {
      const recent = this.recent(key);
      recent.push(this.now());
      this.failures.delete(key); // re-insert: Map order = least recently failed first
      this.failures.set(key, recent);
    }
    const max = this.options.maxKeys ?? 100_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A successful login clears the account's failures (the IP's stay). */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.options.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
