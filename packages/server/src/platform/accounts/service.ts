/**
 * Accounts: tenants, users and their roles, logins with rotating refresh tokens, API keys.
 * Credentials are stored only as hashes; every lookup that could reveal whether an account exists
 * takes the same path and time whether it does or not.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Database } from '../db/database.js';
import {
  apiKeys,
  memberships,
  refreshTokens,
  tenants,
  users,
  ROLES,
  type Role,
} from '../db/schema.js';
import type { AccessTokens } from '../auth/access-tokens.js';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.js';

export interface Membership {
  tenantId: string;
  slug: string;
  name: string;
  role: Role;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface ApiKeyPrincipal {
  apiKeyId: string;
  tenantId: string;
  role: Role;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const API_KEY_PREFIX = 'qrf_';

export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly tokens: AccessTokens,
    private readonly refreshTtlMs: number,
  ) {}

  async createTenant(
    slug: string,
    name: string,
  ): Promise<{ id: string; slug: string; name: string }> {
    const existing = await this.db.select().from(tenants).where(eq(tenants.slug, slug));
    if (existing.length)
      throw new AppError('ACCOUNT_ERR_CONFLICT', `A tenant with slug "${slug}" exists`);
    const [tenant] = await this.db.insert(tenants).values({ slug, name }).returning();
    return { id: tenant.id, slug: tenant.slug, name: tenant.name };
  }

  async tenantBySlug(slug: string) {
    const [tenant] = await this.db.select().from(tenants).where(eq(tenants.slug, slug));
    return tenant;
  }

  /** Creates the user if new (with the password) and gives them `role` in the tenant. */
  async addUser(input: {
    email: string;
    password?: string;
    tenantId: string;
    role: Role;
  }): Promise<{ id: string; email: string }> {
    const email = input.email.trim().toLowerCase();
    if (!ROLES.includes(input.role))
      throw new AppError('VALIDATION_ERR_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    let [user] = await this.db.select().from(users).where(eq(users.email, email));
    if (!user) {
      if (!input.password)
        throw new AppError('VALIDATION_ERR_REQUEST', 'password is required for a new user');
      this.checkPassword(input.password, email);
      [user] = await this.db
        .insert(users)
        .values({ email, passwordHash: await hashPassword(input.password) })
        .returning();
    }
    await this.db
      .insert(memberships)
      .values({ userId: user.id, tenantId: input.tenantId, role: input.role })
      .onConflictDoUpdate({
        target: [memberships.userId, memberships.tenantId],
        set: { role: input.role },
      });
    return { id: user.id, email: user.email };
  }

  /**
   * First start: with no users at all, creates tenant "default" and an admin. Returns the password
   * when it was generated (to show once), else undefined.
   */
  async ensureAdmin(
    email = 'admin@localhost',
    password?: string,
  ): Promise<{ email: string; generatedPassword?: string } | undefined> {
    const any = await this.db.select({ id: users.id }).from(users).limit(1);
    if (any.length) return undefined;
    const tenant =
      (await this.tenantBySlug('default')) ?? (await this.createTenant('default', 'Default'));
    const generatedPassword = password ? undefined : randomBytes(18).toString('base64url');
    await this.addUser({
      email,
      password: password ?? generatedPassword,
      tenantId: tenant.id,
      role: 'admin',
    });
    return { email: email.toLowerCase(), generatedPassword };
  }

  async membershipsOf(userId: string): Promise<Membership[]> {
    return this.db
      .select({
        tenantId: tenants.id,
        slug: tenants.slug,
        name: tenants.name,
        role: memberships.role,
      })
      .from(memberships)
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(eq(memberships.userId, userId));
  }

  async activeUser(userId: string): Promise<{ id: string; email: string } | undefined> {
    const [user] = await this.db
      .select()
      .from(users)
      .where(and(eq(users.id, userId), eq(users.disabled, false)));
    return user && { id: user.id, email: user.email };
  }

  /** The user for valid credentials, else undefined (same work either way). */
  async checkCredentials(
    email: string,
    password: string,
  ): Promise<{ id: string; email: string } | undefined> {
    const [user] = await this.db
      .select()
      .from(users)
      .where(eq(users.email, email.trim().toLowerCase()));
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return ok && user && !user.disabled ? { id: user.id, email: user.email } : undefined;
  }

  /** A new token family for a user who just proved their password. */
  async startSession(userId: string): Promise<TokenPair> {
    return this.issue(userId, randomUUID());
  }

  /**
   * Exchanges a refresh token for a new pair. A token that was already exchanged (or revoked) is
   * refused, and if it had been exchanged its whole family is revoked: someone else holds it.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const invalid = new AppError(
      'AUTH_ERR_UNAUTHENTICATED',
      'The refresh token is invalid, expired or revoked',
    );
    const [row] = await this.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
    if (!row) throw invalid;
    if (row.replacedAt || row.revokedAt) {
      if (row.replacedAt) await this.revokeFamily(row.familyId);
      throw invalid;
    }
    if (row.expiresAt.getTime() <= Date.now() || !(await this.activeUser(row.userId)))
      throw invalid;
    // Mark replaced only if still current: two concurrent refreshes cannot both succeed.
    const claimed = await this.db
      .update(refreshTokens)
      .set({ replacedAt: new Date() })
      .where(
        and(
          eq(refreshTokens.id, row.id),
          isNull(refreshTokens.replacedAt),
          isNull(refreshTokens.revokedAt),
        ),
      )
      .returning({ id: refreshTokens.id });
    if (!claimed.length) {
      await this.revokeFamily(row.familyId);
      throw invalid;
    }
    return this.issue(row.userId, row.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const [row] = await this.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
    if (row) await this.revokeFamily(row.familyId);
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const [user] = await this.db.select().from(users).where(eq(users.id, userId));
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'The current password is wrong');
    }
    this.checkPassword(next, user.email);
    await this.db
      .update(users)
      .set({ passwordHash: await hashPassword(next) })
      .where(eq(users.id, userId));
    await this.revokeAllSessions(userId);
  }

  /** Disables or re-enables a member of the tenant; disabling ends their sessions. */
  async setDisabled(tenantId: string, userId: string, disabled: boolean): Promise<boolean> {
    const [member] = await this.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
    if (!member) return false;
    await this.db.update(users).set({ disabled }).where(eq(users.id, userId));
    if (disabled) await this.revokeAllSessions(userId);
    return true;
  }

  async createApiKey(input: { tenantId: string; name: string; role: Role; createdBy?: string }) {
    if (!ROLES.includes(input.role))
      throw new AppError('VALIDATION_ERR_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    const secret = randomBytes(24).toString('base64url');
    const key = `${API_KEY_PREFIX}${secret}`;
    const [row] = await this.db
      .insert(apiKeys)
      .values({
        tenantId: input.tenantId,
        name: input.name,
        role: input.role,
        prefix: key.slice(0, 10),
        keyHash: sha256(key),
        createdBy: input.createdBy,
      })
      .returning();
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      prefix: row.prefix,
      createdAt: row.createdAt,
      key,
    };
  }

  async listApiKeys(tenantId: string) {
    return this.db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        role: apiKeys.role,
        prefix: apiKeys.prefix,
        createdAt: apiKeys.createdAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.tenantId, tenantId));
  }

  async revokeApiKey(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  async authenticateApiKey(key: string): Promise<ApiKeyPrincipal | undefined> {
    if (!key.startsWith(API_KEY_PREFIX)) return undefined;
    const [row] = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt)));
    return row && { apiKeyId: row.id, tenantId: row.tenantId, role: row.role };
  }

  private checkPassword(password: string, email: string): void {
    const problem = passwordProblem(password, email);
    if (problem) throw new AppError('ACCOUNT_ERR_WEAK_PASSWORD', `The password ${problem}`);
  }

  private async issue(userId: string, familyId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db.insert(refreshTokens).values({
      userId,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.refreshTtlMs),
    });
    return {
      accessToken: await this.tokens.sign(userId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
    };
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  }

  private async revokeAllSessions(userId: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
  }
}
