/**
 * Signed URLs: a link that works without headers (`<img src>`, a download in a new tab) but only
 * for what a signed-in caller asked for, until it expires. The URL carries an expiry and an
 * HMAC-SHA256 over every parameter. Uses: render URLs (anyone could otherwise mint codes under our
 * domain) and downloads from local storage (S3 and Azure sign their own).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** How many verified URLs are remembered (oldest forgotten first). */
const REMEMBERED = 10_000;

export class UrlSigner {
  private readonly key: Buffer;
  /** Raw URLs found valid, with their expiry (Unix seconds). */
  private readonly verified = new Map<string, number>();

  /** `purpose` (e.g. 'render-url v1') gives each use a key of its own. */
  constructor(secret: Uint8Array, purpose: string) {
    // Derived from the server secret: a URL signature is never a token, nor valid for another use.
    this.key = Buffer.from(hkdfSync('sha256', secret, 'qrforge', purpose, 32));
  }

  /** The query string with `exp` (Unix seconds) and `sig` appended. */
  sign(params: Record<string, string | number | undefined>, expiresAt: Date): string {
    const query = canonical({ ...params, exp: Math.floor(expiresAt.getTime() / 1000) });
    return `${query}&sig=${this.mac(query)}`;
  }

  /** 'valid', 'expired' or 'invalid' for the received query parameters. */
  verify(params: Record<string, unknown>, now = new Date()): 'valid' | 'expired' | 'invalid' {
    const { sig, ...rest } = params;
    if (typeof sig !== 'string' || rest.exp === undefined) return 'invalid';
    const expected = Buffer.from(this.mac(canonical(rest as Record<string, string>)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(rest.exp) * 1000 < now.getTime() ? 'expired' : 'valid';
  }

  /**
   * `verify` remembering raw URLs found valid: an `<img>` URL requested again skips the sorting
   * and the HMAC (9 % of the server's CPU time on repeated signed renders, bench/http.bench.js).
   */
  verifyUrl(
    rawUrl: string,
    params: Record<string, unknown>,
    now = new Date(),
  ): 'valid' | 'expired' | 'invalid' {
    const exp = this.verified.get(rawUrl);
    if (exp !== undefined) return exp * 1000 < now.getTime() ? 'expired' : 'valid';
    const verdict = this.verify(params, now);
    if (verdict === 'valid') {
      if (this.verified.size >= REMEMBERED)
        this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(rawUrl, Number(params.exp));
    }
    return verdict;
  }

  private mac(query: string): string {
    return createHmac('sha256', this.key).update(query).digest('base64url');
  }
}

/** Parameters sorted by name, URL-encoded: the same request always signs the same. */
function canonical(params: Record<string, string | number | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}
