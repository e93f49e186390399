/**
 * Access tokens: short-lived JWTs (HS256) signed with the server secret. Verification pins the
 * algorithm, issuer, audience and token type and allows 30 s of clock skew; `alg: none`, other
 * algorithms, expired tokens and refresh tokens presented as access tokens all fail.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const ISSUER = 'qrforge';
export const AUDIENCE = 'qrforge-api';
const CLOCK_TOLERANCE_S = 30;

export interface AccessClaims {
  /** User ID. */
  sub: string;
}

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    readonly ttlSeconds: number,
  ) {}

  sign(userId: string): Promise<string> {
    return new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.secret);
  }

  /** The claims of a valid access token, or undefined. */
  async verify(token: string): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (payload.typ !== 'access' || typeof payload.sub !== 'string') return undefined;
      return { sub: payload.sub };
    } catch {
      return undefined;
    }
  }
}
