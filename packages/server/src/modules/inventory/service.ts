/**
 * Inventory service: the tenant's ID template, bulk generation, item lists with filters and
 * keyset pagination, status transitions (single and bulk, all-or-nothing) and item timelines.
 * Every read and write is scoped by tenant.
 */
import type { ItemSigner } from './item-signature.js';
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Principal } from '../../platform/auth/guard.js';
import type { Database } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/queue/queue.js';
import { checkStock } from './alerts.js';
import { recordEvents } from '../../platform/events/events.js';
import {
  insertItems,
  itemsCreatedEvent,
  reserveSerials,
  uidOf,
  type GenerateInput,
  type Reservation,
} from './generation.js';
import { DEFAULT_ALPHABET, DEFAULT_TEMPLATE, IdTemplate, IdValueError } from './ids/id-template.js';
import { canMove, TRANSITIONS, type ItemStatus } from './lifecycle.js';
import { uidMatches } from './uid-search.js';
import { baseUrlProblem, UID_CONTENT, type CodeContentSetting } from './code-content.js';
import { componentTypes, idSchemas, itemEvents, items } from './schema.js';
import type { ItemQuery } from './schemas.js';

export const GENERATE_JOB = 'inventory.generate';
export interface GenerateJob {
  input: GenerateInput;
  reservation: Reservation;
  /** The template the serials were reserved under (it may change before the job runs). */
  template: string;
  alphabet: string;
  /** The code content choice and the type's GTIN when the serials were reserved. */
  content?: { setting: CodeContentSetting; gtin: string | null };
}

export type ItemRow = typeof items.$inferSelect;

/** Bulk transitions refuse with at most this many offending items listed. */
const CONFLICTS_LISTED = 100;

export class InventoryService {
  private readonly templates = new Map<string, IdTemplate>();

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly limits: { maxCount: number; syncCount: number },
    private readonly signer: ItemSigner,
  ) {}

  async idTemplate(tenantId: string, db: Database = this.db): Promise<IdTemplate> {
    const [row] = await db.select().from(idSchemas).where(eq(idSchemas.tenantId, tenantId));
    const template = row?.template ?? DEFAULT_TEMPLATE;
    const alphabet = row?.alphabet ?? DEFAULT_ALPHABET;
    const key = `${alphabet} ${template}`;
    let compiled = this.templates.get(key);
    if (!compiled) this.templates.set(key, (compiled = IdTemplate.compile(template, alphabet)));
    return compiled;
  }

  async setIdTemplate(tenantId: string, template: string, alphabet: string, audit: AuditContext) {
    IdTemplate.compile(template, alphabet); // throws IdTemplateError naming the problem
    await this.db.transaction(async (tx) => {
      await tx
        .insert(idSchemas)
        .values({ tenantId, template, alphabet })
        .onConflictDoUpdate({
          target: idSchemas.tenantId,
          set: { template, alphabet, updatedAt: new Date() },
        });
      await recordAudit(tx, audit, {
        action: 'id-schema.update',
        targetType: 'tenant',
        targetId: tenantId,
        summary: { template, alphabet },
      });
    });
  }

  async codeContent(tenantId: string): Promise<CodeContentSetting> {
    const [row] = await this.db.select().from(idSchemas).where(eq(idSchemas.tenantId, tenantId));
    return row
      ? { mode: row.codeContent, baseUrl: row.codeBaseUrl, signed: row.codeSigned }
      : UID_CONTENT;
  }

  async setCodeContent(tenantId: string, setting: CodeContentSetting, audit: AuditContext) {
    if (setting.mode !== 'uid') {
      const problem = setting.baseUrl
        ? baseUrlProblem(setting.baseUrl)
        : `${setting.mode} codes need a baseUrl`;
      if (problem)
        throw new AppError('INVENTORY_ERR_CODE_CONTENT', problem, {
          errors: [{ field: 'body.baseUrl', message: problem }],
        });
    }
    const values = {
      codeContent: setting.mode,
      codeBaseUrl: setting.baseUrl,
      codeSigned: setting.mode !== 'uid' && (setting.signed ?? false),
    };
    await this.db.transaction(async (tx) => {
      await tx
        .insert(idSchemas)
        .values({ tenantId, template: DEFAULT_TEMPLATE, alphabet: DEFAULT_ALPHABET, ...values })
        .onConflictDoUpdate({
          target: idSchemas.tenantId,
          set: { ...values, updatedAt: new Date() },
        });
      await recordAudit(tx, audit, {
        action: 'code-content.update',
        targetType: 'tenant',
        targetId: tenantId,
        summary: { ...setting },
      });
    });
  }

  /** The content choice and the GTIN it needs; a GS1 choice without the type's GTIN is refused. */
  private async contentFor(tenantId: string, typeCode: string) {
    const setting = await this.codeContent(tenantId);
    const sign = (uid: string) => this.signer.sign(tenantId, uid);
    if (setting.mode !== 'gs1') return { setting, gtin: null, sign };
    const [type] = await this.db
      .select({ gtin: componentTypes.gtin })
      .from(componentTypes)
      .where(and(eq(componentTypes.tenantId, tenantId), eq(componentTypes.code, typeCode)));
    if (!type?.gtin)
      throw new AppError(
        'INVENTORY_ERR_CODE_CONTENT',
        `Codes are GS1 Digital Links, so component type ${typeCode} needs a GTIN first (PATCH /api/v1/inventory/types/${typeCode})`,
      );
    return { setting, gtin: type.gtin, sign };
  }

  /**
   * Generates `count` items: at once (all in one transaction) up to the sync limit, else the
   * serials are reserved now and a job inserts the items.
   */
  async generate(principal: Principal, input: GenerateInput, audit: AuditContext) {
    if (input.count > this.limits.maxCount)
      throw new AppError(
        'INVENTORY_ERR_TOO_MANY',
        `count ${input.count} is over the limit of ${this.limits.maxCount} (QRFORGE_INVENTORY_MAX_COUNT)`,
      );
    const tenantId = principal.tenantId;
    const template = await this.idTemplate(tenantId);
    checkValues(template, input);
    const content = await this.contentFor(tenantId, input.componentType);
    if (input.count <= this.limits.syncCount) {
      return this.db.transaction(async (tx) => {
        const reservation = await reserveSerials(tx, tenantId, input, template, audit);
        const uids = await insertItems(
          tx,
          tenantId,
          input,
          template,
          reservation,
          undefined,
          content,
        );
        await recordEvents(tx, tenantId, [itemsCreatedEvent(input, reservation, template)]);
        return { reservation, uids, jobId: undefined };
      });
    }
    const jobId = randomUUID();
    const reservation = await this.db.transaction((tx) =>
      reserveSerials(tx, tenantId, input, template, audit),
    );
    const job: GenerateJob = {
      input,
      reservation,
      template: template.template,
      alphabet: template.alphabet,
      // The signer stays here: the job gets it from its own process (never a key in a payload).
      content: { setting: content.setting, gtin: content.gtin },
    };
    await this.queue.enqueue(tenantId, GENERATE_JOB, job, { id: jobId });
    return {
      reservation,
      uids: [uidOf(template, input, reservation.first), uidOf(template, input, reservation.last)],
      jobId,
    };
  }

  async get(tenantId: string, uid: string): Promise<ItemRow> {
    const [item] = await this.db
      .select()
      .from(items)
      .where(and(eq(items.tenantId, tenantId), eq(items.uid, uid)));
    if (!item) throw new AppError('HTTP_ERR_NOT_FOUND', `No item ${uid}`);
    return item;
  }

  async list(tenantId: string, query: ItemQuery) {
    const sort = query.sort ?? '-createdAt';
    const byUid = sort.endsWith('uid');
    const descending = sort.startsWith('-');
    const filters: (SQL | undefined)[] = [
      eq(items.tenantId, tenantId),
      query.status ? eq(items.status, query.status) : undefined,
      query.type ? eq(items.typeCode, query.type) : undefined,
      query.vendor ? eq(items.vendorCode, query.vendor) : undefined,
      query.lot ? eq(items.lotNumber, query.lot) : undefined,
      query.q ? uidMatches(items.id, items.uid, query.q) : undefined,
      query.createdFrom ? gte(items.createdAt, new Date(query.createdFrom)) : undefined,
      query.createdTo ? lt(items.createdAt, new Date(query.createdTo)) : undefined,
      query.manufacturedFrom ? gte(items.manufacturingDate, query.manufacturedFrom) : undefined,
      query.manufacturedTo ? lte(items.manufacturingDate, query.manufacturedTo) : undefined,
      query.warrantyBefore ? lt(items.warrantyExpires, query.warrantyBefore) : undefined,
    ];
    const past = descending ? lt : gt;
    if (query.cursor) {
      const [value, id] = decodeCursor(query.cursor);
      // UIDs are unique in a tenant: ordering by the UID alone lets its index give the order.
      if (byUid) filters.push(past(items.uid, value));
      else {
        const at = new Date(value);
        filters.push(
          or(past(items.createdAt, at), and(eq(items.createdAt, at), past(items.id, id))),
        );
      }
    }
    const order = descending ? desc : asc;
    const rows = await this.db
      .select()
      .from(items)
      .where(and(...filters))
      .orderBy(...(byUid ? [order(items.uid)] : [order(items.createdAt), order(items.id)]))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor(byUid ? last.uid : last.createdAt.toISOString(), last.id)
          : null,
    };
  }

  /**
   * Moves items to `to`, all or nothing: when any cannot make the move, nothing changes and the
   * 409 names them with the moves their status allows.
   */
  async transition(
    tenantId: string,
    selection: { uids?: string[]; lotId?: string },
    to: ItemStatus,
    details: { reason?: string; location?: string },
    audit: AuditContext,
  ): Promise<{ moved: number }> {
    return this.db.transaction(async (tx) => {
      const where = selection.uids
        ? and(eq(items.tenantId, tenantId), inArray(items.uid, selection.uids))
        : and(eq(items.tenantId, tenantId), eq(items.lotId, selection.lotId!));
      // Row locks: a concurrent change to the same items waits, then sees the new status.
      const found = await tx.select(MOVING_COLUMNS).from(items).where(where).for('update');
      if (selection.uids && found.length < selection.uids.length) {
        const known = new Set(found.map((f) => f.uid));
        const missing = selection.uids.filter((uid) => !known.has(uid));
        throw new AppError(
          'HTTP_ERR_NOT_FOUND',
          `No item ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`,
          { missing: missing.slice(0, CONFLICTS_LISTED) },
        );
      }
      if (!found.length) throw new AppError('HTTP_ERR_NOT_FOUND', 'The lot has no items');
      const conflicts = found.filter((item) => !canMove(item.status, to));
      if (conflicts.length) {
        const first = conflicts[0];
        const allowed = TRANSITIONS[first.status];
        throw new AppError(
          'INVENTORY_ERR_TRANSITION',
          conflicts.length === 1 && found.length === 1
            ? `${first.uid} is ${first.status}; it can move to ${allowed.length ? allowed.join(', ') : 'nothing (final)'}, not ${to}`
            : `${conflicts.length} of ${found.length} items cannot move to ${to}; nothing was changed`,
          {
            allowed,
            conflicts: conflicts.slice(0, CONFLICTS_LISTED).map((item) => ({
              uid: item.uid,
              status: item.status,
              allowed: TRANSITIONS[item.status],
            })),
          },
        );
      }
      await moveItems(tx, tenantId, found, to, details, audit);
      await recordAudit(tx, audit, {
        action: 'items.status',
        targetType: found.length === 1 ? 'item' : 'items',
        targetId: found.length === 1 ? found[0].uid : (selection.lotId ?? null),
        summary: { to, count: found.length, ...(details.reason ? { reason: details.reason } : {}) },
      });
      await checkStock(tx, tenantId, [...new Set(found.map((item) => item.typeCode))], audit);
      return { moved: found.length };
    });
  }

  /** Everything that happened to an item, oldest first, starting with its creation. */
  async timeline(tenantId: string, uid: string) {
    const item = await this.get(tenantId, uid);
    const events = await this.db
      .select()
      .from(itemEvents)
      .where(and(eq(itemEvents.tenantId, tenantId), eq(itemEvents.itemId, item.id)))
      .orderBy(asc(itemEvents.at), asc(itemEvents.id));
    return [
      {
        at: item.createdAt.toISOString(),
        kind: 'created',
        fromStatus: null,
        toStatus: 'generated',
        actorType: 'system',
        actorId: null,
        details: { lot: item.lotNumber, serial: item.serial },
      },
      ...events.map((e) => ({
        at: e.at.toISOString(),
        kind: e.kind,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        actorType: e.actorType,
        actorId: e.actorId,
        details: e.details as Record<string, unknown>,
      })),
    ];
  }
}

/** The columns of an item a status change reads. */
export const MOVING_COLUMNS = {
  id: items.id,
  uid: items.uid,
  status: items.status,
  typeCode: items.typeCode,
  vendorCode: items.vendorCode,
  lotNumber: items.lotNumber,
};

/** An item as a status change needs it (locked by the caller). */
export type MovingItem = Pick<
  ItemRow,
  'id' | 'uid' | 'status' | 'typeCode' | 'vendorCode' | 'lotNumber'
>;

/**
 * Moves checked, locked items to `to`: the rows, each item's timeline, and one routable domain
 * event per item. The caller audits and checks stock once for the whole change.
 */
export async function moveItems(
  tx: Database,
  tenantId: string,
  found: MovingItem[],
  to: ItemStatus,
  details: { reason?: string; location?: string; context?: Record<string, unknown> },
  audit: AuditContext,
): Promise<void> {
  const now = new Date();
  const ids = found.map((item) => item.id);
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await tx
      .update(items)
      .set({
        status: to,
        updatedAt: now,
        ...(details.location !== undefined ? { location: details.location } : {}),
      })
      .where(inArray(items.id, chunk));
  }
  const events = found.map((item) => ({
    tenantId,
    itemId: item.id,
    at: now,
    kind: 'status',
    fromStatus: item.status,
    toStatus: to,
    actorType: audit.actorType,
    actorId: audit.actorId,
    details: {
      ...(details.reason ? { reason: details.reason } : {}),
      ...(details.location ? { location: details.location } : {}),
      ...details.context,
      ...(audit.requestId ? { requestId: audit.requestId } : {}),
    },
  }));
  for (let i = 0; i < events.length; i += 1000)
    await tx.insert(itemEvents).values(events.slice(i, i + 1000));
  // Routable per item (`item.status.shipped`), as an ERP binding a queue expects.
  await recordEvents(
    tx,
    tenantId,
    found.map((item) => ({
      type: `item.status.${to}`,
      subject: item.uid,
      data: {
        uid: item.uid,
        type: item.typeCode,
        vendor: item.vendorCode,
        lot: item.lotNumber,
        from: item.status,
        to,
        ...(details.location ? { location: details.location } : {}),
        ...(details.reason ? { reason: details.reason } : {}),
        actor: { type: audit.actorType, id: audit.actorId },
      },
    })),
  );
}

/** The request's values must fit the tenant's template; the error names the body field. */
function checkValues(template: IdTemplate, input: GenerateInput) {
  const fields = { type: 'componentType', vendor: 'vendorCode', lot: 'lotNumber' } as const;
  for (const [field, name] of Object.entries(fields) as [keyof typeof fields, string][]) {
    try {
      template.check(field, input[name as keyof GenerateInput] as string);
    } catch (error) {
      if (!(error instanceof IdValueError)) throw error;
      throw new AppError('INVENTORY_ERR_ID', `${error.message} (ID schema ${template.template})`, {
        errors: [{ field: `body.${name}`, message: error.message }],
      });
    }
  }
}

const encodeCursor = (value: string, id: string) =>
  Buffer.from(JSON.stringify([value, id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(parsed[1])
    )
      return parsed as [string, string];
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_ERR_REQUEST', 'The cursor is not one this API gave out', {
    errors: [{ field: 'querystring.cursor', message: 'is not a cursor from a previous page' }],
  });
}
