/**
 * Who is calling: a user (bearer access token, tenant chosen with X-Tenant-Id when they belong to
 * several) or an API key (X-API-Key, bound to one tenant and role). Routes declare the least role
 * they need; roles are ordered viewer < operator < admin. A tenant the caller does not belong to
 * answers 404, as if it did not exist. Once the tenant is known, the request's queries are
 * narrowed to it (row-level security on PostgreSQL, platform/db/tenant-scope.ts).
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError, bounded } from '../../errors.js';
import type { Role } from '../db/schema.js';
import { narrowToTenant } from '../db/tenant-scope.js';
import type { AccessTokens } from './access-tokens.js';
import type { AccountService, Membership } from '../accounts/service.js';

export interface Principal {
  kind: 'user' | 'api-key';
  userId: string | null;
  apiKeyId: string | null;
  tenantId: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The signed-in user, also on routes that need no tenant. */
    userId?: string;
  }
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Who a guard hook lets in, for the OpenAPI document's `security` (openapi-contract.ts). */
export type Access = { kind: 'role'; role: Role } | { kind: 'user' } | { kind: 'optional' };
const ACCESS = new WeakMap<object, Access>();
export const accessOf = (hook: unknown): Access | undefined =>
  typeof hook === 'function' ? ACCESS.get(hook) : undefined;
function tagged<T extends object>(hook: T, access: Access): T {
  ACCESS.set(hook, access);
  return hook;
}

export class Guard {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly accounts: AccountService,
  ) {}

  /** preValidation hook: any signed-in user, no tenant needed (e.g. /auth/me). */
  readonly user: preHandlerAsyncHookHandler = tagged(
    async (request: FastifyRequest) => {
      request.userId = (await this.userFromBearer(request)).userId;
    },
    { kind: 'user' },
  );

  /** preValidation hook: a caller with at least `role` in the current tenant. */
  role(role: Role): preHandlerAsyncHookHandler {
    return tagged(
      async (request: FastifyRequest, _reply: FastifyReply) => {
        const principal = await this.principal(request);
        if (RANK[principal.role] < RANK[role]) {
          throw new AppError(
            'AUTH_ERR_FORBIDDEN',
            `This needs the ${role} role; you have ${principal.role}`,
          );
        }
        request.principal = principal;
        narrowToTenant(principal.tenantId);
      },
      { kind: 'role', role },
    );
  }

  /**
   * preValidation hook: the caller's principal when credentials are sent (invalid ones still answer 401),
   * anonymous otherwise — for routes open to everyone, such as code generation.
   */
  readonly optional: preHandlerAsyncHookHandler = tagged(
    async (request: FastifyRequest) => {
      if (!hasCredentials(request)) return;
      request.principal = await this.principal(request);
      narrowToTenant(request.principal.tenantId);
    },
    { kind: 'optional' },
  );

  private async principal(request: FastifyRequest): Promise<Principal> {
    const key = request.headers['x-api-key'];
    if (typeof key === 'string' && key) {
      const found = await this.accounts.authenticateApiKey(key);
      if (!found)
        throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'The API key is invalid or revoked');
      return {
        kind: 'api-key',
        userId: null,
        apiKeyId: found.apiKeyId,
        tenantId: found.tenantId,
        role: found.role,
      };
    }
    const { userId, memberships } = await this.userFromBearer(request);
    request.userId = userId;
    const wanted = request.headers['x-tenant-id'];
    let membership;
    if (typeof wanted === 'string' && wanted) {
      membership = memberships.find((m) => m.tenantId === wanted || m.slug === wanted);
      if (!membership) throw new AppError('HTTP_ERR_NOT_FOUND', `No tenant "${bounded(wanted)}"`);
    } else if (memberships.length === 1) {
      membership = memberships[0];
    } else {
      throw new AppError(
        'VALIDATION_ERR_REQUEST',
        'Choose a tenant with the X-Tenant-Id header (ID or slug)',
      );
    }
    return {
      kind: 'user',
      userId,
      apiKeyId: null,
      tenantId: membership.tenantId,
      role: membership.role,
    };
  }

  private async userFromBearer(
    request: FastifyRequest,
  ): Promise<{ userId: string; memberships: Membership[] }> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\w.-]+)$/i.exec(header) : null;
    if (!match)
      throw new AppError(
        'AUTH_ERR_UNAUTHENTICATED',
        'Sign in: send Authorization: Bearer <access token> or X-API-Key',
      );
    const claims = await this.tokens.verify(match[1]);
    const memberships = claims && (await this.accounts.activeMemberships(claims.sub));
    if (!claims || !memberships)
      throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'The access token is invalid or expired');
    return { userId: claims.sub, memberships };
  }
}

export function hasCredentials(request: FastifyRequest): boolean {
  const { authorization, 'x-api-key': key } = request.headers;
  return Boolean(authorization || key);
}
