/**
 * Engraving routes under /api/v1/engraving: machines (admins register, everyone sees their live
 * state), jobs (operators queue one item, a lot, a serial range or a list; pause, resume, cancel,
 * retry, confirm the next piece), a job's pieces, its live progress as server-sent events, and a
 * piece's toolpath preview and G-code. Plus the seed documents' `POST /engraving/jobs` with their
 * body.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { and, asc, eq, inArray, ne, or } from 'drizzle-orm';
import { Type } from 'typebox';
import { encodeText, toMatrix } from '@qrforge/qr';
import { AppError } from '../../errors.js';
import { checkConnection } from './machine-address.js';
import { recordAudit, requestAuditContext } from '../../platform/audit/audit.js';
import type { Guard } from '../../platform/auth/guard.js';
import { isUniqueViolation } from '../../platform/db/rows.js';
import { literals } from '../../platform/http/literals.js';
import { PROBLEM_RESPONSES } from '../../platform/http/problem-schema.js';
import type { ModuleContext } from '../registry.js';
import { generateGcode } from './gcode/generate.js';
import { interpret } from './gcode/interpret.js';
import { previewSvg } from './gcode/preview.js';
import { DEFAULT_MACHINE } from './gcode/settings.js';
import {
  EngravingJobs,
  type JobInput,
  type JobRow,
  type JobSettings,
  type Priority,
} from './jobs.js';
import { engravingGauges } from './metrics.js';
import { checkMachine, closeSimulator, profileOf, type MachineRow } from './machines.js';
import {
  engravingJobs,
  engravingPieces,
  JOB_STATUSES,
  MACHINE_KINDS,
  MACHINE_STATES,
  machines,
  PRIORITIES,
} from './schema.js';

const tags = ['engraving'];
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const Priority = literals(Object.keys(PRIORITIES) as Priority[]);
const PRIORITY_NAMES = Object.fromEntries(Object.entries(PRIORITIES).map(([k, v]) => [v, k]));

const Connection = Type.Union([
  Type.Object(
    {
      type: Type.Literal('simulated'),
      speed: Type.Number({
        minimum: 1,
        maximum: 100_000,
        description: 'Times faster than real time (20: a 3-minute piece in 9 s)',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('tcp'),
      host: Type.String({ minLength: 1, maxLength: 255 }),
      port: Type.Integer({ minimum: 1, maximum: 65535 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('serial'),
      path: Type.String({ minLength: 1, maxLength: 255 }),
      baudRate: Type.Integer({ minimum: 1200, maximum: 2_000_000, description: 'GRBL: 115200' }),
    },
    { additionalProperties: false },
  ),
]);
const Preset = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    power: Type.Number({ minimum: 0, maximum: 100 }),
    speed: Type.Number({ minimum: 1 }),
    passes: Type.Integer({ minimum: 1, maximum: 50 }),
    lineInterval: Type.Number({ minimum: 0.01, maximum: 2 }),
    mode: literals(['raster', 'dot'] as const),
  },
  { additionalProperties: false },
);
/** A machine's fields; `defaults` for registration, none for a change (PATCH). */
const machineFields = (defaults: boolean) => {
  const d = <T>(value: T) => (defaults ? { default: value } : {});
  return {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: literals(MACHINE_KINDS),
    workArea: Type.Object({
      x: Type.Number({ exclusiveMinimum: 0, maximum: 5000 }),
      y: Type.Number({ exclusiveMinimum: 0, maximum: 5000 }),
    }),
    maxPower: Type.Integer({ minimum: 1, maximum: 100_000, description: 'GRBL $30', ...d(1000) }),
    spotSize: Type.Number({ minimum: 0.005, maximum: 2, ...d(0.08) }),
    maxRate: Type.Number({ minimum: 1, maximum: 100_000, ...d(6000) }),
    acceleration: Type.Number({ minimum: 1, maximum: 100_000, ...d(500) }),
    hasZ: Type.Boolean(d(false)),
    connection: Connection,
    presets: Type.Array(Preset, { maxItems: 50, ...d([]) }),
  };
};
const MachineBody = Type.Object(machineFields(true), { additionalProperties: false });
const MachinePatch = Type.Partial(Type.Object(machineFields(false)), {
  additionalProperties: false,
  minProperties: 1,
});
const Machine = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  workArea: Type.Object({ x: Type.Number(), y: Type.Number() }),
  maxPower: Type.Integer(),
  spotSize: Type.Number(),
  maxRate: Type.Number(),
  acceleration: Type.Number(),
  hasZ: Type.Boolean(),
  connection: Type.Object({ type: Type.String() }, { additionalProperties: true }),
  presets: Type.Array(Preset),
  state: literals(MACHINE_STATES),
  lastStatus: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
});
const LaserSettings = Type.Object(
  {
    power: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: '% of $30' })),
    speed: Type.Optional(Type.Number({ minimum: 1, description: 'mm/min' })),
    passes: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    depth: Type.Optional(
      Type.Number({ minimum: 0, maximum: 5, description: 'Z step per pass, mm' }),
    ),
    lineInterval: Type.Optional(Type.Number({ minimum: 0.01, maximum: 2 })),
    mode: Type.Optional(literals(['raster', 'dot'] as const)),
    dynamicPower: Type.Optional(Type.Boolean({ description: 'M4 (default) or M3' })),
    overscan: Type.Optional(Type.Number({ minimum: 0, maximum: 20 })),
    bidirectional: Type.Optional(Type.Boolean()),
    airAssist: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const PlacementBody = Type.Object(
  {
    x: Type.Optional(Type.Number({ minimum: 0 })),
    y: Type.Optional(Type.Number({ minimum: 0 })),
    moduleSize: Type.Optional(Type.Number({ minimum: 0.05, maximum: 10 })),
    rotation: Type.Optional(Type.Number({ minimum: -360, maximum: 360 })),
    quietZone: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
);
const JobBody = Type.Object(
  {
    itemUid: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    content: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    lot: Type.Optional(
      Type.Object(
        {
          lot: Type.String({ minLength: 1, maxLength: 32 }),
          type: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
          vendor: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
          from: Type.Optional(Type.Integer({ minimum: 1 })),
          to: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    uids: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 10_000 }),
    ),
    settings: Type.Optional(LaserSettings),
    placement: Type.Optional(PlacementBody),
    priority: Type.Optional(Priority),
    machineId: Type.Optional(Type.String({ format: 'uuid' })),
    confirmEach: Type.Optional(
      Type.Boolean({ description: 'Wait for POST …/confirm before each piece' }),
    ),
    dryRun: Type.Optional(
      Type.Boolean({
        description:
          "Check every program on the machine in GRBL's check mode ($C): nothing moves or burns, no item changes",
      }),
    ),
  },
  { additionalProperties: false },
);
/** The seed documents' body: snake_case, the laser settings of their example. */
const SeedJobBody = Type.Object(
  {
    item_uid: Type.String({ minLength: 1, maxLength: 100 }),
    qr_code_data: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    laser_settings: Type.Optional(LaserSettings),
    priority: Type.Optional(Priority),
    machine_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
const Progress = Type.Union([
  Type.Object({
    piece: Type.Integer(),
    pieces: Type.Integer(),
    uid: Type.String(),
    lines: Type.Integer(),
    totalLines: Type.Integer(),
    etaSeconds: Type.Number(),
  }),
  Type.Null(),
]);
const Job = Type.Object({
  id: Type.String(),
  status: literals(JOB_STATUSES),
  priority: Priority,
  machineId: Type.Union([Type.String(), Type.Null()]),
  assignedMachineId: Type.Union([Type.String(), Type.Null()]),
  confirmEach: Type.Boolean(),
  dryRun: Type.Boolean(),
  waitingForConfirm: Type.Boolean(),
  total: Type.Integer(),
  done: Type.Integer(),
  failed: Type.Integer(),
  progress: Progress,
  settings: Type.Object({}, { additionalProperties: true }),
  operator: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const Piece = Type.Object({
  seq: Type.Integer(),
  uid: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  gcodeSha256: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

const machineView = (m: MachineRow) => ({
  id: m.id,
  name: m.name,
  kind: m.kind,
  workArea: { x: m.workAreaX, y: m.workAreaY },
  maxPower: m.maxPower,
  spotSize: m.spotSize,
  maxRate: m.maxRate,
  acceleration: m.acceleration,
  hasZ: m.hasZ,
  connection: m.connection as { type: string },
  presets: m.presets as never[],
  state: m.state,
  lastStatus: (m.lastStatus as Record<string, unknown> | null) ?? null,
  lastSeenAt: m.lastSeenAt?.toISOString() ?? null,
});
const jobView = (j: JobRow) => ({
  id: j.id,
  status: j.status,
  priority: PRIORITY_NAMES[j.priority] as Priority,
  machineId: j.machineId,
  assignedMachineId: j.assignedMachineId,
  confirmEach: j.confirmEach,
  dryRun: j.dryRun,
  waitingForConfirm: j.confirmEach && !FINISHED.has(j.status) && j.confirmed <= j.done + j.failed,
  total: j.total,
  done: j.done,
  failed: j.failed,
  progress: (j.progress as never) ?? null,
  settings: j.settings as Record<string, unknown>,
  operator: j.operator,
  error: j.error,
  createdAt: j.createdAt.toISOString(),
  startedAt: j.startedAt?.toISOString() ?? null,
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

export function engravingRoutes(app: FastifyInstance, context: ModuleContext & { guard: Guard }) {
  const { guard, config } = context;
  const db = context.database.db;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const jobs = new EngravingJobs(db, config.engravingMaxPieces);
  engravingGauges(context.metrics.registry, db);
  const findMachine = async (tenantId: string, id: string) => {
    const [machine] = await db
      .select()
      .from(machines)
      .where(and(eq(machines.tenantId, tenantId), eq(machines.id, id)));
    if (!machine) throw new AppError('HTTP_ERR_NOT_FOUND', `No machine ${id}`);
    return machine;
  };

  api.post(
    '/api/v1/engraving/machines',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: 'Register a laser machine',
        body: MachineBody,
        response: { 201: Machine, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const body = request.body;
      checkConnection(body.connection, config.engravingAllowLocal);
      const machine = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(machines)
          .values({
            tenantId,
            name: body.name,
            kind: body.kind,
            workAreaX: body.workArea.x,
            workAreaY: body.workArea.y,
            maxPower: body.maxPower,
            spotSize: body.spotSize,
            maxRate: body.maxRate,
            acceleration: body.acceleration,
            hasZ: body.hasZ,
            connection: body.connection,
            presets: body.presets,
          })
          .onConflictDoNothing()
          .returning();
        if (!row)
          throw new AppError(
            'ACCOUNT_ERR_CONFLICT',
            `A machine named "${body.name}" exists already`,
          );
        await recordAudit(tx, requestAuditContext(request), {
          action: 'machine.create',
          targetType: 'machine',
          targetId: row.id,
          summary: { name: body.name, kind: body.kind, connection: body.connection.type },
        });
        return row;
      });
      return reply.code(201).send(machineView(machine));
    },
  );

  api.get(
    '/api/v1/engraving/machines',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Machines with their live state',
        response: { 200: Type.Object({ machines: Type.Array(Machine) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => ({
      machines: (
        await db
          .select()
          .from(machines)
          .where(eq(machines.tenantId, request.principal!.tenantId))
          .orderBy(asc(machines.name))
      ).map(machineView),
    }),
  );

  api.get(
    '/api/v1/engraving/machines/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'A machine and its last status report',
        params: IdParams,
        response: { 200: Machine, ...PROBLEM_RESPONSES },
      },
    },
    async (request) =>
      machineView(await findMachine(request.principal!.tenantId, request.params.id)),
  );

  api.patch(
    '/api/v1/engraving/machines/:id',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: 'Change a machine: name, profile, connection, presets',
        description:
          'Refused (409) while the machine runs a job. A new connection takes effect at the next job or state check.',
        params: IdParams,
        body: MachinePatch,
        response: { 200: Machine, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const body = request.body;
      if (body.connection) checkConnection(body.connection, config.engravingAllowLocal);
      const { id } = await findMachine(tenantId, request.params.id);
      const machine = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(machines)
          .set({
            name: body.name,
            kind: body.kind,
            workAreaX: body.workArea?.x,
            workAreaY: body.workArea?.y,
            maxPower: body.maxPower,
            spotSize: body.spotSize,
            maxRate: body.maxRate,
            acceleration: body.acceleration,
            hasZ: body.hasZ,
            connection: body.connection,
            presets: body.presets,
          })
          .where(and(eq(machines.id, id), ne(machines.state, 'busy')))
          .returning()
          .catch((error: unknown) => {
            if (isUniqueViolation(error))
              throw new AppError(
                'ACCOUNT_ERR_CONFLICT',
                `A machine named "${body.name}" exists already`,
              );
            throw error;
          });
        if (!row)
          throw new AppError(
            'ENGRAVING_ERR_MACHINE_BUSY',
            'The machine is running a job: change it when the job is over',
          );
        await recordAudit(tx, requestAuditContext(request), {
          action: 'machine.update',
          targetType: 'machine',
          targetId: row.id,
          summary: { fields: Object.keys(body) },
        });
        return row;
      });
      // A simulated machine's simulator is made again from the new profile.
      await closeSimulator(machine.id);
      return machineView(machine);
    },
  );

  api.delete(
    '/api/v1/engraving/machines/:id',
    {
      preValidation: guard.role('admin'),
      schema: {
        tags,
        summary: 'Remove a machine',
        description:
          'Refused (409) while it runs a job or while unfinished jobs are meant for it (cancel or move them first). Finished jobs keep their pieces and history.',
        params: IdParams,
        response: { 204: Type.Null(), ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      const machine = await findMachine(tenantId, request.params.id);
      await db.transaction(async (tx) => {
        const [waiting] = await tx
          .select({ id: engravingJobs.id })
          .from(engravingJobs)
          .where(
            and(
              eq(engravingJobs.tenantId, tenantId),
              inArray(engravingJobs.status, ['queued', 'running', 'paused']),
              or(
                eq(engravingJobs.machineId, machine.id),
                eq(engravingJobs.assignedMachineId, machine.id),
              ),
            ),
          )
          .limit(1);
        if (waiting)
          throw new AppError(
            'ENGRAVING_ERR_MACHINE_BUSY',
            `Job ${waiting.id} is not finished and is meant for ${machine.name}: cancel it or let it finish first`,
          );
        const [gone] = await tx
          .delete(machines)
          .where(and(eq(machines.id, machine.id), ne(machines.state, 'busy')))
          .returning({ id: machines.id });
        if (!gone)
          throw new AppError('ENGRAVING_ERR_MACHINE_BUSY', `${machine.name} is running a job`);
        await recordAudit(tx, requestAuditContext(request), {
          action: 'machine.delete',
          targetType: 'machine',
          targetId: machine.id,
          summary: { name: machine.name },
        });
      });
      await closeSimulator(machine.id);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/v1/engraving/machines/:id/:action',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          "check (ask the controller for its state now) or unlock (clear an alarm with GRBL's $X, then check)",
        description:
          'The machine is connected to, asked, and let go; its state becomes idle, alarm or offline. Refused (409) while it runs a job. Unlock only after the cause of the alarm is fixed on the machine.',
        params: Type.Object(
          { id: Type.String({ format: 'uuid' }), action: literals(['check', 'unlock'] as const) },
          { additionalProperties: false },
        ),
        response: { 200: Machine, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.principal!.tenantId;
      const machine = await findMachine(tenantId, request.params.id);
      const unlock = request.params.action === 'unlock';
      const checked = await checkMachine(db, machine.id, {
        timeoutMs: 3000,
        allowLocal: config.engravingAllowLocal,
        commandTimeoutMs: config.engravingCommandTimeoutMs,
        unlock,
      });
      if (!checked)
        throw new AppError(
          'ENGRAVING_ERR_MACHINE_BUSY',
          `${machine.name} is running a job or being checked; its state is live on this page`,
        );
      if (unlock)
        await recordAudit(db, requestAuditContext(request), {
          action: 'machine.unlock',
          targetType: 'machine',
          targetId: machine.id,
          summary: { name: machine.name, state: checked.state },
        });
      return machineView(checked);
    },
  );

  const createJob = async (
    tenantId: string,
    input: JobInput,
    audit: ReturnType<typeof requestAuditContext>,
  ) => jobView(await jobs.create(tenantId, input, audit));

  api.post(
    '/api/v1/engraving/jobs',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          'Queue an engraving job: one item, a lot, a serial range of a lot, or a list of UIDs',
        description:
          'Every item must be able to move to `engraved`. Each piece gets G-code from its code (verified by decoding the drawn burns before it is sent) and, once engraved, its item moves to `engraved`.',
        body: JobBody,
        response: { 201: Job, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createJob(request.principal!.tenantId, request.body, requestAuditContext(request)),
        ),
  );

  api.post(
    '/engraving/jobs',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          "The seed documents' job request (item_uid, qr_code_data, laser_settings, priority)",
        body: SeedJobBody,
        response: { 201: Job, ...PROBLEM_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      return reply.code(201).send(
        await createJob(
          request.principal!.tenantId,
          {
            itemUid: body.item_uid,
            content: body.qr_code_data,
            settings: body.laser_settings,
            priority: body.priority,
            machineId: body.machine_id,
          },
          requestAuditContext(request),
        ),
      );
    },
  );

  api.get(
    '/api/v1/engraving/jobs',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'Engraving jobs, newest first',
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ jobs: Type.Array(Job) }), ...PROBLEM_RESPONSES },
      },
    },
    async (request) => ({
      jobs: (await jobs.list(request.principal!.tenantId, request.query.limit)).map(jobView),
    }),
  );

  api.get(
    '/api/v1/engraving/jobs/:id',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: 'A job with its pieces',
        params: IdParams,
        response: {
          200: Type.Object({ ...Job.properties, pieces: Type.Array(Piece) }),
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request) => {
      const job = await jobs.get(request.principal!.tenantId, request.params.id);
      const pieces = await jobs.pieces(job.id);
      return {
        ...jobView(job),
        pieces: pieces.map((p) => ({
          seq: p.seq,
          uid: p.uid,
          status: p.status,
          attempts: p.attempts,
          gcodeSha256: p.gcodeSha256,
          error: p.error,
          startedAt: p.startedAt?.toISOString() ?? null,
          finishedAt: p.finishedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  api.post(
    '/api/v1/engraving/jobs/:id/:action',
    {
      preValidation: guard.role('operator'),
      schema: {
        tags,
        summary:
          'pause, resume, cancel, retry (failed pieces again) or confirm (the next piece may start)',
        params: Type.Object(
          {
            id: Type.String({ format: 'uuid' }),
            action: literals(['pause', 'resume', 'cancel', 'retry', 'confirm'] as const),
          },
          { additionalProperties: false },
        ),
        response: { 200: Job, ...PROBLEM_RESPONSES },
      },
    },
    async (request) =>
      jobView(
        await jobs.act(
          request.principal!.tenantId,
          request.params.id,
          request.params.action,
          requestAuditContext(request),
        ),
      ),
  );

  api.get(
    '/api/v1/engraving/jobs/:id/events',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary:
          'Server-sent events: a `job` event (status, piece n of N, lines, ETA) on every change until the job ends',
        params: IdParams,
        response: {
          200: {
            description: 'text/event-stream of job objects',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.principal!.tenantId;
      let job = await jobs.get(tenantId, request.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      const send = (j: JobRow) => res.write(`event: job\ndata: ${JSON.stringify(jobView(j))}\n\n`);
      send(job);
      let last = JSON.stringify(jobView(job));
      const end = Date.now() + 6 * 3600_000;
      while (!closed && !FINISHED.has(job.status) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        job = await jobs.get(tenantId, job.id);
        const now = JSON.stringify(jobView(job));
        if (now !== last) send(job);
        last = now;
      }
      res.end();
    },
  );

  /** A piece's toolpath, made again exactly as the runner makes it. */
  const toolpathOf = async (tenantId: string, id: string, seq: number) => {
    const job = await jobs.get(tenantId, id);
    const [piece] = await db
      .select()
      .from(engravingPieces)
      .where(and(eq(engravingPieces.jobId, job.id), eq(engravingPieces.seq, seq)));
    if (!piece) throw new AppError('HTTP_ERR_NOT_FOUND', `Job ${id} has no piece ${seq}`);
    const machineId = job.assignedMachineId ?? job.machineId;
    const profile = machineId ? profileOf(await findMachine(tenantId, machineId)) : DEFAULT_MACHINE;
    const settings = job.settings as JobSettings;
    return {
      toolpath: generateGcode(
        toMatrix(encodeText(piece.content, { ecc: 'M' })),
        settings.laser,
        settings.placement,
        profile,
        piece.uid,
      ),
      settings,
    };
  };
  const PieceQuery = Type.Object(
    { piece: Type.Integer({ minimum: 1, default: 1 }) },
    { additionalProperties: false },
  );

  api.get(
    '/api/v1/engraving/jobs/:id/preview',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: "An SVG of a piece's toolpath: burns dark, rapids dashed",
        params: IdParams,
        querystring: PieceQuery,
        response: {
          200: { description: 'SVG', content: { 'image/svg+xml': { schema: Type.String() } } },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { toolpath, settings } = await toolpathOf(
        request.principal!.tenantId,
        request.params.id,
        request.query.piece,
      );
      return reply.type('image/svg+xml').send(
        previewSvg(
          interpret(toolpath.gcode).moves.filter((m) => m.from.x || m.from.y),
          settings.laser.lineInterval,
        ),
      );
    },
  );

  api.get(
    '/api/v1/engraving/jobs/:id/gcode',
    {
      preValidation: guard.role('viewer'),
      schema: {
        tags,
        summary: "A piece's G-code, as it is sent to the machine",
        params: IdParams,
        querystring: PieceQuery,
        response: {
          200: { description: 'G-code', content: { 'text/x-gcode': { schema: Type.String() } } },
          ...PROBLEM_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { toolpath } = await toolpathOf(
        request.principal!.tenantId,
        request.params.id,
        request.query.piece,
      );
      return reply.type('text/x-gcode').send(toolpath.gcode);
    },
  );
}
