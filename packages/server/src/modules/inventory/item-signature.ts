/**
 * Signed item codes: a short HMAC over the tenant and UID, carried in the code's URL (`?s=`), so a
 * URL for a UID we never issued — or a UID copied with a made-up signature — is told from a
 * genuine one. 11 base64url characters (66 bits): short enough for a small code, far beyond
 * guessing through a rate-limited page. The key is derived from the server secret (HKDF).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export class ItemSigner {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'qrforge', 'item-code-signature v1', 32));
  }

  sign(tenantId: string, uid: string): string {
    return createHmac('sha256', this.key)
      .update(`${tenantId}\n${uid}`)
      .digest('base64url')
      .slice(0, 11);
  }

  verify(tenantId: string, uid: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(tenantId, uid));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
