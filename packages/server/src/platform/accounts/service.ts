/**
 * Accounts: tenants, users and their roles, logins with rotating refresh tokens, API keys.
 * Credentials are stored only as hashes; every lookup that could reveal whether an account exists
 * takes the same path and time whether it does or not.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
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
import { recordAudit, SYSTEM_CONTEXT, type AuditContext } from '../audit/audit.js';
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
/** pg_advisory_xact_lock key of the first-run setup ("QRFS"). */
const SETUP_LOCK = 0x51524653;

export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly tokens: AccessTokens,
    private readonly refreshTtlMs: number,
  ) {}

  async createTenant(
    slug: string,
    name: string,
    ctx: AuditContext = SYSTEM_CONTEXT,
  ): Promise<{ id: string; slug: string; name: string }> {
    return this.db.transaction(async (tx) => {
      const existing = await tx.select().from(tenants).where(eq(tenants.slug, slug));
      if (existing.length)
        throw new AppError('ACCOUNT_ERR_CONFLICT', `A tenant with slug "${slug}" exists`);
      const [tenant] = await tx.insert(tenants).values({ slug, name }).returning();
      await recordAudit(tx, ctx, {
        action: 'tenant.create',
        targetType: 'tenant',
        targetId: tenant.id,
        summary: { slug, name },
        tenantId: tenant.id,
      });
      return { id: tenant.id, slug: tenant.slug, name: tenant.name };
    });
  }

  async tenantBySlug(slug: string) {
    const [tenant] = await this.db.select().from(tenants).where(eq(tenants.slug, slug));
    return tenant;
  }

  /** Creates the user if new (with the password) and gives them `role` in the tenant. */
  async addUser(
    input: { email: string; password?: string; tenantId: string; role: Role },
    ctx: AuditContext = SYSTEM_CONTEXT,
  ): Promise<{ id: string; email: string }> {
    const email = input.email.trim().toLowerCase();
    if (!ROLES.includes(input.role))
      throw new AppError('VALIDATION_ERR_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    // Hash before the transaction: it takes ~100 ms of CPU and needs no lock.
    const [existing] = await this.db.select().from(users).where(eq(users.email, email));
    let passwordHash: string | undefined;
    if (!existing) {
      if (!input.password)
        throw new AppError('VALIDATION_ERR_REQUEST', 'password is required for a new user');
      this.checkPassword(input.password, email);
      passwordHash = await hashPassword(input.password);
    }
    return this.db.transaction(async (tx) => {
      let [user] = await tx.select().from(users).where(eq(users.email, email));
      const created = !user;
      if (!user)
        [user] = await tx.insert(users).values({ email, passwordHash: passwordHash! }).returning();
      await tx
        .insert(memberships)
        .values({ userId: user.id, tenantId: input.tenantId, role: input.role })
        .onConflictDoUpdate({
          target: [memberships.userId, memberships.tenantId],
          set: { role: input.role },
        });
      await recordAudit(tx, ctx, {
        action: 'user.add',
        targetType: 'user',
        targetId: user.id,
        summary: { email, role: input.role, created },
        tenantId: input.tenantId,
      });
      return { id: user.id, email: user.email };
    });
  }

  /**
   * Start with QRFORGE_ADMIN_EMAIL/PASSWORD: with no users at all, creates tenant "default" and
   * that admin. Returns the admin's e-mail when it was created.
   */
  async ensureAdmin(email = 'admin@localhost', password: string): Promise<string | undefined> {
    if (!(await this.setupNeeded())) return undefined;
    const tenant =
      (await this.tenantBySlug('default')) ?? (await this.createTenant('default', 'Default'));
    await this.addUser({ email, password, tenantId: tenant.id, role: 'admin' });
    return email.toLowerCase();
  }

  /** Whether nobody can sign in yet: the first-run setup page is offered. */
  async setupNeeded(): Promise<boolean> {
    const any = await this.db.select({ id: users.id }).from(users).limit(1);
    return any.length === 0;
  }

  /**
   * First-run setup from the web page: while there are no users, creates the admin (in tenant
   * "default", named after the organisation) and signs them in. Two setups at once are
   * serialised by an advisory lock, so exactly one wins and the other gets 409.
   */
  async setUp(
    input: { email: string; password: string; organisation: string },
    ctx: AuditContext,
  ): Promise<TokenPair> {
    // Once set up, say so before the ~190 ms of hashing (the locked check below settles races).
    if (!(await this.setupNeeded()))
      throw new AppError('SETUP_ERR_DONE', 'QR Forge is set up already: sign in instead');
    const email = input.email.trim().toLowerCase();
    this.checkPassword(input.password, email);
    const passwordHash = await hashPassword(input.password);
    const userId = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
      const any = await tx.select({ id: users.id }).from(users).limit(1);
      if (any.length)
        throw new AppError('SETUP_ERR_DONE', 'QR Forge is set up already: sign in instead');
      let [tenant] = await tx.select().from(tenants).where(eq(tenants.slug, 'default'));
      tenant ??= (
        await tx.insert(tenants).values({ slug: 'default', name: input.organisation }).returning()
      )[0];
      const [user] = await tx.insert(users).values({ email, passwordHash }).returning();
      await tx.insert(memberships).values({ userId: user.id, tenantId: tenant.id, role: 'admin' });
      await recordAudit(
        tx,
        { ...ctx, actorType: 'user', actorId: user.id },
        {
          action: 'setup.admin',
          targetType: 'user',
          targetId: user.id,
          summary: { email, tenant: tenant.slug },
          tenantId: tenant.id,
        },
      );
      return user.id;
    });
    return this.startSession(userId, ctx);
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

  /**
   * An active user's memberships in one query (the guard runs it on every request, so one round
   * trip instead of two: on PGlite a query costs ~1 ms of the only core it has). Undefined when
   * the user does not exist or is disabled.
   */
  async activeMemberships(userId: string): Promise<Membership[] | undefined> {
    const rows = await this.db
      .select({
        tenantId: tenants.id,
        slug: tenants.slug,
        name: tenants.name,
        role: memberships.role,
      })
      .from(users)
      .leftJoin(memberships, eq(memberships.userId, users.id))
      .leftJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(and(eq(users.id, userId), eq(users.disabled, false)));
    if (!rows.length) return undefined;
    return rows.flatMap((r) =>
      r.tenantId && r.slug && r.name && r.role
        ? [{ tenantId: r.tenantId, slug: r.slug, name: r.name, role: r.role }]
        : [],
    );
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
  async startSession(userId: string, ctx: AuditContext): Promise<TokenPair> {
    return this.db.transaction(async (tx) => {
      const pair = await this.issue(tx, userId, randomUUID());
      await recordAudit(
        tx,
        { ...ctx, actorType: 'user', actorId: userId },
        { action: 'auth.login', targetType: 'user', targetId: userId, summary: {} },
      );
      return pair;
    });
  }

  /**
   * Exchanges a refresh token for a new pair. A token that was already exchanged (or revoked) is
   * refused, and if it had been exchanged its whole family is revoked: someone else holds it.
   */
  async refresh(refreshToken: string, ctx: AuditContext): Promise<TokenPair> {
    const invalid = new AppError(
      'AUTH_ERR_UNAUTHENTICATED',
      'The refresh token is invalid, expired or revoked',
    );
    const [row] = await this.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
    if (!row) throw invalid;
    const userCtx: AuditContext = { ...ctx, actorType: 'user', actorId: row.userId };
    if (row.replacedAt || row.revokedAt) {
      if (row.replacedAt)
        await this.revokeFamily(row.familyId, row.userId, userCtx, 'auth.refresh_reused');
      throw invalid;
    }
    if (row.expiresAt.getTime() <= Date.now() || !(await this.activeUser(row.userId)))
      throw invalid;
    const pair = await this.db.transaction(async (tx) => {
      // Mark replaced only if still current: two concurrent refreshes cannot both succeed.
      const claimed = await tx
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
      if (!claimed.length) return undefined;
      const next = await this.issue(tx, row.userId, row.familyId);
      await recordAudit(tx, userCtx, {
        action: 'auth.refresh',
        targetType: 'user',
        targetId: row.userId,
        summary: { family: row.familyId },
      });
      return next;
    });
    if (!pair) {
      await this.revokeFamily(row.familyId, row.userId, userCtx, 'auth.refresh_reused');
      throw invalid;
    }
    return pair;
  }

  async logout(refreshToken: string, ctx: AuditContext): Promise<void> {
    const [row] = await this.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
    if (row)
      await this.revokeFamily(
        row.familyId,
        row.userId,
        { ...ctx, actorType: 'user', actorId: row.userId },
        'auth.logout',
      );
  }

  async changePassword(
    userId: string,
    current: string,
    next: string,
    ctx: AuditContext,
  ): Promise<void> {
    const [user] = await this.db.select().from(users).where(eq(users.id, userId));
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      throw new AppError('AUTH_ERR_UNAUTHENTICATED', 'The current password is wrong');
    }
    this.checkPassword(next, user.email);
    const passwordHash = await hashPassword(next);
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
      await this.revokeAllSessions(tx, userId);
      await recordAudit(tx, ctx, {
        action: 'auth.password_change',
        targetType: 'user',
        targetId: userId,
        summary: { sessionsEnded: true },
      });
    });
  }

  /** Disables or re-enables a member of the tenant; disabling ends their sessions. */
  async setDisabled(
    tenantId: string,
    userId: string,
    disabled: boolean,
    ctx: AuditContext,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [member] = await tx
        .select()
        .from(memberships)
        .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
      if (!member) return false;
      await tx.update(users).set({ disabled }).where(eq(users.id, userId));
      if (disabled) await this.revokeAllSessions(tx, userId);
      await recordAudit(tx, ctx, {
        action: disabled ? 'user.disable' : 'user.enable',
        targetType: 'user',
        targetId: userId,
        summary: { disabled },
        tenantId,
      });
      return true;
    });
  }

  async createApiKey(
    input: { tenantId: string; name: string; role: Role; createdBy?: string },
    ctx: AuditContext = SYSTEM_CONTEXT,
  ) {
    if (!ROLES.includes(input.role))
      throw new AppError('VALIDATION_ERR_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    const secret = randomBytes(24).toString('base64url');
    const key = `${API_KEY_PREFIX}${secret}`;
    return this.db.transaction(async (tx) => {
      const [row] = await tx
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
      await recordAudit(tx, ctx, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: row.id,
        summary: { name: row.name, role: row.role, prefix: row.prefix },
        tenantId: input.tenantId,
      });
      return {
        id: row.id,
        name: row.name,
        role: row.role,
        prefix: row.prefix,
        createdAt: row.createdAt,
        key,
      };
    });
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

  async revokeApiKey(tenantId: string, id: string, ctx: AuditContext): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id, name: apiKeys.name });
      if (!rows.length) return false;
      await recordAudit(tx, ctx, {
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        summary: { name: rows[0].name },
        tenantId,
      });
      return true;
    });
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

  private async issue(tx: Database, userId: string, familyId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.insert(refreshTokens).values({
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

  private async revokeFamily(
    familyId: string,
    userId: string,
    ctx: AuditContext,
    action: string,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
      await recordAudit(tx, ctx, {
        action,
        targetType: 'user',
        targetId: userId,
        summary: { family: familyId },
      });
    });
  }

  private async revokeAllSessions(tx: Database, userId: string): Promise<void> {
    await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
  }
}
