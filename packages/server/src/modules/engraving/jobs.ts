/**
 * Engraving jobs: one item (the seed's request) or many (a lot, a serial range, a list), each item a
 * piece. Creating a job checks every item can be engraved (exists in the tenant, may move to
 * `engraved`, and the content asked for is the item's own) and that the toolpath fits the machine
 * asked for; the runner does the rest. Pause, resume, cancel, retry of failed pieces, and the
 * go-ahead for the next piece in confirm mode.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { recordAudit, type AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { canMove } from '../inventory/lifecycle.js';
import { items } from '../inventory/schema.js';
import {
  DEFAULT_PLACEMENT,
  DEFAULT_SETTINGS,
  type LaserSettings,
  type Placement,
} from './gcode/settings.js';
import { generateGcode } from './gcode/generate.js';
import { checkSettings, DEFAULT_MACHINE, ToolpathError } from './gcode/settings.js';
import { profileOf, type MachineRow } from './machines.js';
import { engravingJobs, engravingPieces, machines, PRIORITIES } from './schema.js';
import { encodeText, toMatrix } from '@qrforge/qr';

export type Priority = keyof typeof PRIORITIES;
export type JobRow = typeof engravingJobs.$inferSelect;

export interface JobInput {
  /** One item, or a selection. */
  itemUid?: string;
  /** What to engrave for a single item; must be the item's own code content. */
  content?: string;
  lot?: { lot: string; type?: string; vendor?: string; from?: number; to?: number };
  uids?: string[];
  settings?: Partial<LaserSettings>;
  placement?: Partial<Placement>;
  priority?: Priority;
  machineId?: string;
  confirmEach?: boolean;
  /** Check every program on the machine in `$C` mode; nothing burns, no item changes. */
  dryRun?: boolean;
}

export interface JobSettings {
  laser: LaserSettings;
  placement: Placement;
}

export class EngravingJobs {
  constructor(
    private readonly db: Database,
    private readonly maxPieces: number,
  ) {}

  async create(tenantId: string, input: JobInput, audit: AuditContext): Promise<JobRow> {
    const settings: JobSettings = {
      laser: { ...DEFAULT_SETTINGS, ...input.settings },
      placement: { ...DEFAULT_PLACEMENT, ...input.placement },
    };
    return this.db.transaction(async (tx) => {
      let machine: MachineRow | undefined;
      if (input.machineId) {
        [machine] = await tx
          .select()
          .from(machines)
          .where(and(eq(machines.tenantId, tenantId), eq(machines.id, input.machineId)));
        if (!machine) throw new AppError('HTTP_ERR_NOT_FOUND', `No machine ${input.machineId}`);
      }
      const chosen = await this.selectItems(tx, tenantId, input);
      checkToolpath(chosen[0].codeContent, settings, machine);
      // A dry run changes no item, so it may check the program of an item engraved already.
      const stuck = input.dryRun ? [] : chosen.filter((item) => !canMove(item.status, 'engraved'));
      if (stuck.length)
        throw new AppError(
          'ENGRAVING_ERR_ITEMS',
          `${stuck.length} item${stuck.length > 1 ? 's' : ''} cannot be engraved (${stuck
            .slice(0, 5)
            .map((i) => `${i.uid} is ${i.status}`)
            .join(', ')})`,
          { items: stuck.slice(0, 100).map((i) => ({ uid: i.uid, status: i.status })) },
        );
      if (
        input.content !== undefined &&
        chosen.length === 1 &&
        input.content !== chosen[0].codeContent
      )
        throw new AppError(
          'ENGRAVING_ERR_ITEMS',
          `qr_code_data must be what ${chosen[0].uid}'s code holds ("${chosen[0].codeContent}"): a part is never engraved with another item's code`,
        );
      const [job] = await tx
        .insert(engravingJobs)
        .values({
          tenantId,
          machineId: input.machineId ?? null,
          priority: PRIORITIES[input.priority ?? 'normal'],
          confirmEach: input.confirmEach ?? false,
          dryRun: input.dryRun ?? false,
          settings,
          total: chosen.length,
          operator: `${audit.actorType}:${audit.actorId ?? ''}`,
        })
        .returning();
      for (let i = 0; i < chosen.length; i += 1000)
        await tx.insert(engravingPieces).values(
          chosen.slice(i, i + 1000).map((item, j) => ({
            jobId: job.id,
            seq: i + j + 1,
            itemId: item.id,
            uid: item.uid,
            content: item.codeContent,
          })),
        );
      await recordAudit(tx, audit, {
        action: 'engraving-job.create',
        targetType: 'engraving-job',
        targetId: job.id,
        summary: {
          pieces: chosen.length,
          priority: input.priority ?? 'normal',
          machineId: input.machineId ?? null,
          dryRun: input.dryRun ?? false,
        },
      });
      return job;
    });
  }

  private async selectItems(tx: Database, tenantId: string, input: JobInput) {
    const columns = {
      id: items.id,
      uid: items.uid,
      status: items.status,
      codeContent: items.codeContent,
    };
    const uids = input.itemUid ? [input.itemUid] : input.uids;
    if (uids) {
      const found = await tx
        .select(columns)
        .from(items)
        .where(and(eq(items.tenantId, tenantId), inArray(items.uid, uids)))
        .orderBy(asc(items.uid));
      const known = new Set(found.map((i) => i.uid));
      const missing = uids.filter((uid) => !known.has(uid));
      if (missing.length)
        throw new AppError('HTTP_ERR_NOT_FOUND', `No item ${missing.slice(0, 5).join(', ')}`);
      return found;
    }
    if (!input.lot)
      throw new AppError('VALIDATION_ERR_REQUEST', 'Name the items: item_uid, uids or lot', {
        errors: [{ field: 'body', message: 'needs one of itemUid, uids, lot' }],
      });
    const { lot, type, vendor, from, to } = input.lot;
    const found = await tx
      .select(columns)
      .from(items)
      .where(
        and(
          eq(items.tenantId, tenantId),
          eq(items.lotNumber, lot),
          type ? eq(items.typeCode, type) : undefined,
          vendor ? eq(items.vendorCode, vendor) : undefined,
          from !== undefined ? sql`${items.serial} >= ${from}` : undefined,
          to !== undefined ? sql`${items.serial} <= ${to}` : undefined,
        ),
      )
      .orderBy(asc(items.serial))
      .limit(this.maxPieces + 1);
    if (!found.length) throw new AppError('HTTP_ERR_NOT_FOUND', `No items in lot ${lot}`);
    if (found.length > this.maxPieces)
      throw new AppError(
        'ENGRAVING_ERR_ITEMS',
        `More than ${this.maxPieces} pieces in one job (QRFORGE_ENGRAVING_MAX_PIECES); split it by serial range`,
      );
    return found;
  }

  async get(tenantId: string, id: string): Promise<JobRow> {
    const [job] = await this.db
      .select()
      .from(engravingJobs)
      .where(and(eq(engravingJobs.tenantId, tenantId), eq(engravingJobs.id, id)));
    if (!job) throw new AppError('HTTP_ERR_NOT_FOUND', `No engraving job ${id}`);
    return job;
  }

  list(tenantId: string, limit: number) {
    return this.db
      .select()
      .from(engravingJobs)
      .where(eq(engravingJobs.tenantId, tenantId))
      .orderBy(desc(engravingJobs.createdAt))
      .limit(limit);
  }

  pieces(jobId: string) {
    return this.db
      .select()
      .from(engravingPieces)
      .where(eq(engravingPieces.jobId, jobId))
      .orderBy(asc(engravingPieces.seq));
  }

  /** pause, resume, cancel, retry (failed pieces again) and confirm (the next piece may start). */
  async act(
    tenantId: string,
    id: string,
    action: 'pause' | 'resume' | 'cancel' | 'retry' | 'confirm',
    audit: AuditContext,
  ): Promise<JobRow> {
    return this.db.transaction(async (tx) => {
      const [job] = await tx
        .select()
        .from(engravingJobs)
        .where(and(eq(engravingJobs.tenantId, tenantId), eq(engravingJobs.id, id)))
        .for('update');
      if (!job) throw new AppError('HTTP_ERR_NOT_FOUND', `No engraving job ${id}`);
      const allowed: Record<typeof action, readonly string[]> = {
        pause: ['queued', 'running'],
        resume: ['paused'],
        cancel: ['queued', 'running', 'paused'],
        retry: ['failed', 'cancelled', 'completed'],
        confirm: ['queued', 'running', 'paused'],
      };
      if (!allowed[action].includes(job.status))
        throw new AppError('ENGRAVING_ERR_STATE', `A ${job.status} job cannot ${action}`);
      const changes: Partial<JobRow> = {};
      if (action === 'pause') changes.status = 'paused';
      if (action === 'resume')
        changes.status = job.assignedMachineId && job.leaseUntil ? 'running' : 'queued';
      if (action === 'cancel')
        Object.assign(changes, { status: 'cancelled', finishedAt: new Date() });
      if (action === 'confirm') changes.confirmed = job.confirmed + 1;
      if (action === 'retry') {
        const again = await tx
          .update(engravingPieces)
          .set({ status: 'pending', error: null })
          .where(and(eq(engravingPieces.jobId, id), eq(engravingPieces.status, 'failed')))
          .returning({ id: engravingPieces.id });
        if (!again.length && job.done === job.total)
          throw new AppError('ENGRAVING_ERR_STATE', 'Every piece is engraved: nothing to retry');
        Object.assign(changes, {
          status: 'queued',
          failed: 0,
          error: null,
          finishedAt: null,
          assignedMachineId: null,
        });
      }
      const [updated] = await tx
        .update(engravingJobs)
        .set(changes)
        .where(eq(engravingJobs.id, id))
        .returning();
      await recordAudit(tx, audit, {
        action: `engraving-job.${action}`,
        targetType: 'engraving-job',
        targetId: id,
        summary: { from: job.status, to: updated.status },
      });
      return updated;
    });
  }
}

/**
 * Settings out of range, or (on the machine asked for) a placement off the work area, are refused
 * when the job is made, not when its first piece is due.
 */
/** Whether a job's toolpath fits a machine (work area, power, speed): any-machine jobs go only where they fit. */
export function fitsMachine(content: string, settings: JobSettings, machine: MachineRow): boolean {
  try {
    generateGcode(
      toMatrix(encodeText(content, { ecc: 'M' })),
      settings.laser,
      settings.placement,
      profileOf(machine),
    );
    return true;
  } catch (error) {
    if (error instanceof ToolpathError) return false;
    throw error;
  }
}

function checkToolpath(content: string, settings: JobSettings, machine?: MachineRow) {
  try {
    if (machine)
      generateGcode(
        toMatrix(encodeText(content, { ecc: 'M' })),
        settings.laser,
        settings.placement,
        profileOf(machine),
      );
    else checkSettings(settings.laser, { ...DEFAULT_MACHINE, maxRate: Number.MAX_VALUE });
  } catch (error) {
    if (!(error instanceof ToolpathError)) throw error;
    throw new AppError('ENGRAVING_ERR_TOOLPATH', error.message, {
      errors: [{ field: `body.${error.field}`, message: error.message }],
    });
  }
}
