/**
 * The scheduler and runner: every poll, each idle machine takes the most urgent queued job meant
 * for it (or for any machine), oldest first, claimed with SKIP LOCKED and a lease, so several
 * processes can run machines without taking the same job. A job's pieces run one at a time:
 * G-code from the code's matrix, verified by decoding the drawn burns, streamed to the machine,
 * then — in one transaction — the piece is done and its item moves to `engraved` with the
 * machine, settings, G-code hash and operator in its timeline.
 *
 * Exactly once: a piece is marked `running` before its first byte is sent. If the process dies
 * mid-piece, the lease runs out and the next runner marks that piece `failed` ("interrupted:
 * check the part") instead of engraving it again — a half-engraved part needs a person — and goes
 * on with the pending pieces. Nothing is engraved twice, and nothing is lost without a trace.
 */
import { createHash, randomUUID } from 'node:crypto';
import { encodeText, toMatrix } from '@qrforge/qr';
import { and, asc, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Counter } from 'prom-client';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Database } from '../../platform/db/database.js';
import { canMove } from '../inventory/lifecycle.js';
import { items } from '../inventory/schema.js';
import { MOVING_COLUMNS, moveItems } from '../inventory/service.js';
import { estimateSeconds } from './gcode/estimate.js';
import { generateGcode } from './gcode/generate.js';
import { interpret } from './gcode/interpret.js';
import { verifyToolpath } from './gcode/verify.js';
import type { GrblConnection } from './grbl/driver.js';
import { fitsMachine, type JobRow, type JobSettings } from './jobs.js';
import { checkMachine, connectMachine, profileOf, stateOf, type MachineRow } from './machines.js';
import { engravingJobs, engravingPieces, machines } from './schema.js';

export interface RunnerOptions {
  leaseMs: number;
  /** How often machines not running a job are asked for their state (0: never). */
  probeMs?: number;
  /** QRFORGE_ENGRAVING_ALLOW_LOCAL: controllers on loopback and link-local addresses too. */
  allowLocal: boolean;
  /** QRFORGE_ENGRAVING_COMMAND_TIMEOUT_MS: the longest wait for a controller's answer. */
  commandTimeoutMs?: number;
  /** `engraving_pieces_total{result}`: done, failed, checked (dry run). */
  pieces?: Counter<'result'>;
  /** Called after items change (the inventory read cache). */
  onItemsChanged?: (tenantId: string) => Promise<void>;
  log?: (message: string, error?: unknown) => void;
}

/** How often a waiting job (paused, or waiting for the operator's go) looks at its row again. */
const WAIT_MS = 200;
/** Queued jobs a machine looks through for one it can run (the rest fit no machine here). */
const CANDIDATES = 20;
/** Progress is written to the job row at most this often. */
const PROGRESS_MS = 500;

export class EngravingRunner {
  private readonly owner = `runner-${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private looping = false;
  /** Set while stopping: running jobs hand back at the next piece boundary. */
  private stopping = false;
  private probed = 0;
  private probing?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly options: RunnerOptions,
  ) {}

  start(pollMs: number) {
    this.looping = true;
    const tick = async () => {
      try {
        await this.runOnce();
      } catch (error) {
        this.options.log?.('engraving runner', error);
      }
      if (this.looping) this.timer = setTimeout(() => void tick(), pollMs);
    };
    void tick();
  }

  /** Stops polling; running jobs finish their current piece and go back to the queue. */
  async stop() {
    this.looping = false;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.idle();
    await this.probing;
    this.stopping = false;
  }

  /** Recovers abandoned jobs, then starts a job on every idle machine that has one waiting. */
  async runOnce(): Promise<void> {
    await this.recover();
    const idle = await this.db.select().from(machines).where(eq(machines.state, 'idle'));
    for (const machine of idle) {
      if (this.running.has(machine.id)) continue;
      const job = await this.claim(machine);
      if (!job) continue;
      const run = this.runJob(machine, job).finally(() => this.running.delete(machine.id));
      this.running.set(machine.id, run);
    }
    // After the claims, so a check never delays a job by more than a poll; in the background, as
    // a machine that does not answer costs its connection timeout.
    const probeMs = this.options.probeMs ?? 0;
    if (probeMs > 0 && !this.probing && Date.now() - this.probed >= probeMs) {
      this.probed = Date.now();
      this.probing = this.probeMachines().finally(() => (this.probing = undefined));
    }
  }

  /** Resolves when every job this runner has started is over (tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled(this.running.values());
  }

  /** Live state of the machines not running a job: idle, alarm, or offline (and back). */
  async probeMachines(): Promise<void> {
    const others = await this.db
      .select({ id: machines.id })
      .from(machines)
      .where(ne(machines.state, 'busy'));
    await Promise.all(
      others
        .filter((m) => !this.running.has(m.id))
        .map((m) =>
          checkMachine(this.db, m.id, {
            timeoutMs: 3000,
            allowLocal: this.options.allowLocal,
            commandTimeoutMs: this.options.commandTimeoutMs,
          }).catch((error: unknown) =>
            this.options.log?.(`engraving: checking machine ${m.id}`, error),
          ),
        ),
    );
  }

  private async claim(machine: MachineRow): Promise<JobRow | undefined> {
    return this.db.transaction(async (tx) => {
      const candidates = await tx
        .select()
        .from(engravingJobs)
        .where(
          and(
            eq(engravingJobs.tenantId, machine.tenantId),
            eq(engravingJobs.status, 'queued'),
            or(eq(engravingJobs.machineId, machine.id), isNull(engravingJobs.machineId)),
          ),
        )
        .orderBy(sql`${engravingJobs.priority} desc`, asc(engravingJobs.createdAt))
        .limit(CANDIDATES)
        .for('update', { skipLocked: true });
      let job: JobRow | undefined;
      for (const candidate of candidates) {
        if (candidate.machineId) {
          job = candidate;
          break;
        }
        // A job for any machine goes only to a machine its toolpath fits (work area, power).
        const [next] = await tx
          .select({ content: engravingPieces.content })
          .from(engravingPieces)
          .where(
            and(eq(engravingPieces.jobId, candidate.id), eq(engravingPieces.status, 'pending')),
          )
          .orderBy(asc(engravingPieces.seq))
          .limit(1);
        if (!next || fitsMachine(next.content, candidate.settings as JobSettings, machine)) {
          job = candidate;
          break;
        }
      }
      if (!job) return undefined;
      // The machine is ours only if it is still idle and no state check holds it.
      const [taken] = await tx
        .update(machines)
        .set({ state: 'busy' })
        .where(
          and(
            eq(machines.id, machine.id),
            eq(machines.state, 'idle'),
            or(isNull(machines.probeUntil), lt(machines.probeUntil, new Date())),
          ),
        )
        .returning({ id: machines.id });
      if (!taken) return undefined;
      const [claimed] = await tx
        .update(engravingJobs)
        .set({
          status: 'running',
          assignedMachineId: machine.id,
          leaseOwner: this.owner,
          leaseUntil: new Date(Date.now() + this.options.leaseMs),
          startedAt: job.startedAt ?? new Date(),
        })
        .where(eq(engravingJobs.id, job.id))
        .returning();
      return claimed;
    });
  }

  /**
   * Jobs whose runner's lease ran out: the piece it was engraving is marked failed (never run
   * again by itself), the job goes back to the queue for its other pieces, its machine to idle.
   */
  private async recover() {
    await this.db.transaction(async (tx) => {
      const lost = await tx
        .select()
        .from(engravingJobs)
        .where(
          and(
            inArray(engravingJobs.status, ['running', 'paused']),
            lt(engravingJobs.leaseUntil, new Date()),
          ),
        )
        .for('update', { skipLocked: true });
      for (const job of lost) {
        const interrupted = await tx
          .update(engravingPieces)
          .set({
            status: 'failed',
            error:
              'interrupted: the runner stopped mid-piece; check the part, then retry or leave it',
            finishedAt: new Date(),
          })
          .where(and(eq(engravingPieces.jobId, job.id), eq(engravingPieces.status, 'running')))
          .returning({ id: engravingPieces.id });
        await tx
          .update(engravingJobs)
          .set({
            status: job.status === 'paused' ? 'paused' : 'queued',
            failed: job.failed + interrupted.length,
            leaseOwner: null,
            leaseUntil: null,
          })
          .where(eq(engravingJobs.id, job.id));
        if (job.assignedMachineId)
          await tx
            .update(machines)
            .set({ state: 'idle' })
            .where(and(eq(machines.id, job.assignedMachineId), eq(machines.state, 'busy')));
      }
    });
  }

  private async runJob(machine: MachineRow, job: JobRow) {
    let connection: GrblConnection | undefined;
    try {
      connection = await connectMachine(machine, {
        allowLocal: this.options.allowLocal,
        commandTimeoutMs: this.options.commandTimeoutMs,
      });
      const status = await connection.status();
      if (stateOf(status) === 'alarm') {
        // Nothing sent: the job waits for a person to clear the machine and unlock it.
        await this.release(job.id);
        await this.setMachine(machine.id, 'alarm', status);
        return;
      }
      await this.setMachine(machine.id, 'busy', status);
      await this.runPieces(machine, job, connection);
      if (job.dryRun) await connection.checkMode(false);
      // Stopping between pieces: hand the job back at once rather than when the lease runs out.
      if (this.stopping) await this.release(job.id);
      await this.setMachine(machine.id, 'idle', connection.lastStatus);
    } catch (error) {
      if (!connection) {
        // Nothing was sent: the job waits in the queue for this machine (or another) to answer.
        await this.release(job.id);
        await this.setMachine(machine.id, 'offline');
        this.options.log?.(`engraving: machine ${machine.name} is offline`, error);
        return;
      }
      const message = (error as Error).message;
      const kind = (error as { kind?: string }).kind;
      await this.finishJob(job.id, 'failed', message);
      await this.setMachine(
        machine.id,
        kind === 'alarm' ? 'alarm' : kind === 'connection' ? 'offline' : 'idle',
        connection.lastStatus,
      );
      this.options.log?.(`engraving job ${job.id} failed`, error);
    } finally {
      connection?.close();
    }
  }

  private async runPieces(machine: MachineRow, claimed: JobRow, connection: GrblConnection) {
    const settings = claimed.settings as JobSettings;
    const profile = profileOf(machine);
    for (;;) {
      const job = await this.waitForGo(claimed.id);
      if (!job) return; // cancelled, or no longer ours
      const [piece] = await this.db
        .select()
        .from(engravingPieces)
        .where(and(eq(engravingPieces.jobId, job.id), eq(engravingPieces.status, 'pending')))
        .orderBy(asc(engravingPieces.seq))
        .limit(1);
      if (!piece) {
        await this.finishJob(
          job.id,
          job.failed ? 'failed' : 'completed',
          job.failed ? `${job.failed} piece(s) failed` : null,
        );
        return;
      }
      const toolpath = generateGcode(
        toMatrix(encodeText(piece.content, { ecc: 'M' })),
        settings.laser,
        settings.placement,
        profile,
        piece.uid,
      );
      const moves = interpret(toolpath.gcode).moves;
      const verified = await verifyToolpath(moves, piece.content, {
        spot: profile.spotSize,
        moduleSize: toolpath.moduleSize,
        quietZone: settings.placement.quietZone,
      });
      if (!verified.ok) {
        await this.failPiece(
          job.id,
          piece.id,
          `the toolpath does not decode to ${piece.content} (read: ${verified.decoded.join(', ') || 'nothing'}); not sent`,
        );
        continue;
      }
      const sha = createHash('sha256').update(toolpath.gcode).digest('hex');
      await this.db.transaction(async (tx) => {
        await tx
          .update(engravingPieces)
          .set({
            status: 'running',
            gcodeSha256: sha,
            attempts: piece.attempts + 1,
            startedAt: new Date(),
            error: null,
          })
          .where(eq(engravingPieces.id, piece.id));
        await tx
          .update(engravingJobs)
          .set({ leaseUntil: new Date(Date.now() + this.options.leaseMs) })
          .where(eq(engravingJobs.id, job.id));
      });
      // Checked before every piece of a dry run: a controller reset leaves check mode, and a dry
      // run must never burn.
      if (job.dryRun) await connection.checkMode(true);
      const seconds = estimateSeconds(moves, profile);
      let written = 0;
      await connection.stream(toolpath.gcode, (p) => {
        const now = Date.now();
        if (now - written < PROGRESS_MS && p.acknowledged < p.total) return;
        written = now;
        void this.db
          .update(engravingJobs)
          .set({
            leaseUntil: new Date(now + this.options.leaseMs),
            progress: {
              piece: piece.seq,
              pieces: job.total,
              uid: piece.uid,
              lines: p.acknowledged,
              totalLines: p.total,
              etaSeconds: Math.round(
                seconds * (1 - p.acknowledged / p.total) + seconds * (job.total - job.done - 1),
              ),
            },
          })
          .where(eq(engravingJobs.id, job.id))
          .catch(() => undefined);
      });
      await this.completePiece(job, piece, machine, settings, sha);
    }
  }

  /** The job row once it may run its next piece; undefined when cancelled or taken from us. */
  private async waitForGo(id: string): Promise<JobRow | undefined> {
    for (;;) {
      const [job] = await this.db.select().from(engravingJobs).where(eq(engravingJobs.id, id));
      if (!job || job.status === 'cancelled' || job.leaseOwner !== this.owner) return undefined;
      const waiting = job.confirmEach && job.confirmed <= job.done + job.failed;
      if (job.status === 'running' && !waiting) return job;
      // Paused, or waiting for the operator: keep the claim alive.
      await this.db
        .update(engravingJobs)
        .set({ leaseUntil: new Date(Date.now() + this.options.leaseMs) })
        .where(eq(engravingJobs.id, id));
      if (this.stopping) return undefined;
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    }
  }

  private async completePiece(
    job: JobRow,
    piece: typeof engravingPieces.$inferSelect,
    machine: MachineRow,
    settings: JobSettings,
    sha: string,
  ) {
    const [operatorType, operatorId] = job.operator.split(':') as [
      AuditContext['actorType'],
      string,
    ];
    const audit: AuditContext = {
      actorType: operatorType,
      actorId: operatorId || null,
      tenantId: job.tenantId,
      requestId: null,
      ip: null,
    };
    await this.db.transaction(async (tx) => {
      await tx
        .update(engravingPieces)
        .set({ status: 'done', finishedAt: new Date() })
        .where(eq(engravingPieces.id, piece.id));
      await tx
        .update(engravingJobs)
        .set({ done: sql`${engravingJobs.done} + 1` })
        .where(eq(engravingJobs.id, job.id));
      // A dry run checked the program on the machine; the part is untouched.
      if (job.dryRun) return;
      const [item] = await tx
        .select(MOVING_COLUMNS)
        .from(items)
        .where(eq(items.id, piece.itemId))
        .for('update');
      if (item && canMove(item.status, 'engraved'))
        await moveItems(
          tx,
          job.tenantId,
          [item],
          'engraved',
          {
            context: {
              machine: { id: machine.id, name: machine.name },
              job: job.id,
              piece: piece.seq,
              settings: settings.laser,
              gcodeSha256: sha,
            },
          },
          audit,
        );
    });
    this.options.pieces?.inc({ result: job.dryRun ? 'checked' : 'done' });
    if (!job.dryRun) await this.options.onItemsChanged?.(job.tenantId);
  }

  private async failPiece(jobId: string, pieceId: number, error: string) {
    this.options.pieces?.inc({ result: 'failed' });
    await this.db.transaction(async (tx) => {
      await tx
        .update(engravingPieces)
        .set({ status: 'failed', error, finishedAt: new Date() })
        .where(eq(engravingPieces.id, pieceId));
      await tx
        .update(engravingJobs)
        .set({ failed: sql`${engravingJobs.failed} + 1` })
        .where(eq(engravingJobs.id, jobId));
    });
  }

  private async finishJob(id: string, status: 'completed' | 'failed', error: string | null) {
    await this.db.transaction(async (tx) => {
      // A piece cut short by a machine error is marked failed with the job.
      if (status === 'failed') {
        const cut = await tx
          .update(engravingPieces)
          .set({ status: 'failed', error, finishedAt: new Date() })
          .where(and(eq(engravingPieces.jobId, id), eq(engravingPieces.status, 'running')))
          .returning({ id: engravingPieces.id });
        if (cut.length) this.options.pieces?.inc({ result: 'failed' }, cut.length);
      }
      const failed = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(engravingPieces)
        .where(and(eq(engravingPieces.jobId, id), eq(engravingPieces.status, 'failed')));
      await tx
        .update(engravingJobs)
        .set({
          status,
          error,
          failed: failed[0].n,
          finishedAt: new Date(),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(and(eq(engravingJobs.id, id), eq(engravingJobs.leaseOwner, this.owner)));
    });
  }

  private async release(id: string) {
    await this.db
      .update(engravingJobs)
      .set({ status: 'queued', leaseOwner: null, leaseUntil: null })
      .where(
        and(
          eq(engravingJobs.id, id),
          eq(engravingJobs.leaseOwner, this.owner),
          eq(engravingJobs.status, 'running'),
        ),
      );
  }

  private async setMachine(id: string, state: MachineRow['state'], status?: object) {
    await this.db
      .update(machines)
      .set(status ? { state, lastStatus: status, lastSeenAt: new Date() } : { state })
      .where(eq(machines.id, id));
  }
}
