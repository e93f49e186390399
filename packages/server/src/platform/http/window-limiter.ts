/**
 * A fixed-window request counter per key (a client IP), in this process's memory: for the public
 * pages, whose fast path runs before Fastify's rate limiter. Windows are cleared wholesale when
 * they end, so memory holds at most one window's clients.
 */
export class WindowLimiter {
  private counts = new Map<string, number>();
  private windowEnds = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a request; the seconds to wait when over the limit, else 0. */
  take(key: string, now = Date.now()): number {
    if (now >= this.windowEnds) {
      this.counts.clear();
      this.windowEnds = now + this.windowMs;
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count > this.max ? Math.ceil((this.windowEnds - now) / 1000) : 0;
  }
}
