/**
 * Dynamic codes: created with a short, unguessable slug; their target, rules, schedule and switch
 * changed by their owner (each change audited); looked up by slug for redirects through a small
 * in-process cache, so a scan costs no database round trip. An edit made here is seen at once by
 * this process and within `cacheMs` by others.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/rows.js';
import { knownTimeZone, type RoutingRule } from './rules.js';
import { dynamicCodes } from './schema.js';

export type DynamicCode = typeof dynamicCodes.$inferSelect;

export interface CodeInput {
  name: string;
  target: string;
  rules?: RoutingRule[];
  validFrom?: string | null;
  validUntil?: string | null;
  enabled?: boolean;
  /** The address printed before `/q/<slug>`. */
  baseUrl?: string;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
/** 9 characters of 57: 52 bits, too many to guess or walk, short enough for a small code. */
const SLUG_LENGTH = 9;

export function newSlug(): string {
  const bytes = randomBytes(SLUG_LENGTH * 2);
  let slug = '';
  // Rejection sampling keeps every character equally likely.
  for (const byte of bytes) {
    if (byte >= ALPHABET.length * Math.floor(256 / ALPHABET.length)) continue;
    slug += ALPHABET[byte % ALPHABET.length];
    if (slug.length === SLUG_LENGTH) return slug;
  }
  return newSlug();
}

export const SLUG = new RegExp(`^[${ALPHABET}]{${SLUG_LENGTH}}$`);

/** Why a target cannot be used, or undefined: absolute http(s), no credentials. */
export function targetProblem(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `"${target.slice(0, 100)}" is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `a target must be http or https, not ${url.protocol}`;
  if (url.username || url.password) return 'a target must not carry credentials';
  return undefined;
}

function check(input: Partial<CodeInput>) {
  const errors: { field: string; message: string }[] = [];
  if (input.target !== undefined) {
    const problem = targetProblem(input.target);
    if (problem) errors.push({ field: 'body.target', message: problem });
  }
  input.rules?.forEach((rule, i) => {
    const problem = targetProblem(rule.target);
    if (problem) errors.push({ field: `body.rules.${i}.target`, message: problem });
    if (rule.timeZone && !knownTimeZone(rule.timeZone))
      errors.push({
        field: `body.rules.${i}.timeZone`,
        message: `unknown time zone ${rule.timeZone}`,
      });
  });
  if (input.validFrom && input.validUntil && input.validFrom >= input.validUntil)
    errors.push({ field: 'body.validUntil', message: 'validUntil must be after validFrom' });
  if (errors.length) throw new AppError('LINK_ERR_INVALID', errors[0].message, { errors });
}

export class DynamicCodes {
  private readonly cache = new Map<string, { code: DynamicCode | undefined; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly cacheMs: number,
  ) {}

  async create(tenantId: string, input: CodeInput, audit: AuditContext): Promise<DynamicCode> {
    check(input);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const [code] = await tx
            .insert(dynamicCodes)
            .values({
              tenantId,
              slug: newSlug(),
              name: input.name,
              target: input.target,
              rules: input.rules ?? [],
              validFrom: input.validFrom ? new Date(input.validFrom) : null,
              validUntil: input.validUntil ? new Date(input.validUntil) : null,
              enabled: input.enabled ?? true,
              baseUrl: input.baseUrl,
              createdBy: `${audit.actorType}:${audit.actorId ?? ''}`,
            })
            .returning();
          await recordAudit(tx, audit, {
            action: 'dynamic-code.create',
            targetType: 'dynamic-code',
            targetId: code.id,
            summary: { slug: code.slug, target: code.target },
          });
          return code;
        });
      } catch (error) {
        // A slug drawn twice (52 bits: practically never): draw again.
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  async list(tenantId: string, limit: number): Promise<DynamicCode[]> {
    return this.db
      .select()
      .from(dynamicCodes)
      .where(eq(dynamicCodes.tenantId, tenantId))
      .orderBy(desc(dynamicCodes.createdAt))
      .limit(limit);
  }

  async get(tenantId: string, id: string): Promise<DynamicCode> {
    const [code] = await this.db
      .select()
      .from(dynamicCodes)
      .where(and(eq(dynamicCodes.tenantId, tenantId), eq(dynamicCodes.id, id)));
    if (!code) throw new AppError('HTTP_ERR_NOT_FOUND', `No dynamic code ${id}`);
    return code;
  }

  /** Changes a code; the audit entry keeps what the target, switch and schedule were. */
  async update(
    tenantId: string,
    id: string,
    input: Partial<CodeInput>,
    audit: AuditContext,
  ): Promise<DynamicCode> {
    const before = await this.get(tenantId, id);
    check({
      ...input,
      validFrom: input.validFrom === undefined ? before.validFrom?.toISOString() : input.validFrom,
      validUntil:
        input.validUntil === undefined ? before.validUntil?.toISOString() : input.validUntil,
    });
    const code = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(dynamicCodes)
        .set({
          name: input.name,
          target: input.target,
          rules: input.rules,
          enabled: input.enabled,
          validFrom:
            input.validFrom === undefined
              ? undefined
              : input.validFrom
                ? new Date(input.validFrom)
                : null,
          validUntil:
            input.validUntil === undefined
              ? undefined
              : input.validUntil
                ? new Date(input.validUntil)
                : null,
          updatedAt: new Date(),
        })
        .where(eq(dynamicCodes.id, before.id))
        .returning();
      const changed = Object.keys(input).filter(
        (key) =>
          JSON.stringify(input[key as keyof CodeInput]) !== JSON.stringify(fieldOf(before, key)),
      );
      await recordAudit(tx, audit, {
        action:
          input.enabled === false && before.enabled
            ? 'dynamic-code.disable'
            : input.target !== undefined && input.target !== before.target
              ? 'dynamic-code.retarget'
              : 'dynamic-code.update',
        targetType: 'dynamic-code',
        targetId: before.id,
        summary: {
          changed,
          before: pick(before, changed),
          after: pick(row, changed),
        },
      });
      return row;
    });
    this.cache.delete(code.slug);
    return code;
  }

  /** The code behind a slug if the cache has it fresh, else undefined (the fast path). */
  cached(slug: string): DynamicCode | undefined {
    const cached = this.cache.get(slug);
    return cached && cached.until > Date.now() ? cached.code : undefined;
  }

  /** The code behind a slug, from the cache when fresh (misses are cached too: probing is cheap). */
  async bySlug(slug: string): Promise<DynamicCode | undefined> {
    const now = Date.now();
    const cached = this.cache.get(slug);
    if (cached && cached.until > now) return cached.code;
    const [code] = await this.db.select().from(dynamicCodes).where(eq(dynamicCodes.slug, slug));
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(slug, { code, until: now + this.cacheMs });
    return code;
  }
}

function fieldOf(code: DynamicCode, key: string): unknown {
  const value = code[key as keyof DynamicCode];
  return value instanceof Date ? value.toISOString() : value;
}

function pick(code: DynamicCode, keys: string[]) {
  return Object.fromEntries(keys.map((key) => [key, fieldOf(code, key)]));
}
