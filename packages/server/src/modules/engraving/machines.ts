/**
 * Machines: their profile for toolpaths, and a connection to each. A "simulated" machine is a
 * GRBL simulator started in this process on loopback (one per machine), reached over TCP like a
 * networked controller, so demos and dry runs take the same path as real machines.
 */
import { and, eq, isNull, lt, ne, or } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.js';
import type { MachineProfile } from './gcode/settings.js';
import { connectSerial, connectTcp, type GrblConnection } from './grbl/driver.js';
import type { StatusReport } from './grbl/protocol.js';
import { GrblSimulator } from './grbl/simulator.js';
import { controllerAddress } from './machine-address.js';
import { machines } from './schema.js';

export type MachineRow = typeof machines.$inferSelect;
export type Connection =
  | { type: 'simulated'; speed: number }
  | { type: 'tcp'; host: string; port: number }
  | { type: 'serial'; path: string; baudRate: number };

export function profileOf(machine: MachineRow): MachineProfile {
  return {
    workArea: { x: machine.workAreaX, y: machine.workAreaY },
    maxPower: machine.maxPower,
    spotSize: machine.spotSize,
    maxRate: machine.maxRate,
    acceleration: machine.acceleration,
    hasZ: machine.hasZ,
  };
}

const simulators = new Map<string, Promise<{ simulator: GrblSimulator; port: number }>>();

/** The simulator behind a simulated machine (tests read what it executed). */
export async function simulatorOf(machine: MachineRow, speed: number) {
  let running = simulators.get(machine.id);
  if (!running) {
    const simulator = new GrblSimulator({
      speed,
      workArea: { x: machine.workAreaX, y: machine.workAreaY },
      maxPower: machine.maxPower,
    });
    running = simulator.listen().then((port) => ({ simulator, port }));
    simulators.set(machine.id, running);
  }
  return running;
}

/** Stops a simulated machine's simulator (changed or removed); the next use starts a new one. */
export async function closeSimulator(id: string): Promise<void> {
  const running = simulators.get(id);
  if (!running) return;
  simulators.delete(id);
  await (await running).simulator.close();
}

export async function closeSimulators(): Promise<void> {
  const all = [...simulators.values()];
  simulators.clear();
  for (const running of all) await (await running).simulator.close();
}

export async function connectMachine(
  machine: MachineRow,
  options: { timeoutMs?: number; allowLocal: boolean; commandTimeoutMs?: number; reset?: boolean },
): Promise<GrblConnection> {
  const connection = machine.connection as Connection;
  const timeoutMs = options.timeoutMs ?? 5000;
  const driver = { timeoutMs: options.commandTimeoutMs, reset: options.reset };
  switch (connection.type) {
    case 'simulated': {
      const { port } = await simulatorOf(machine, connection.speed);
      return connectTcp('127.0.0.1', port, timeoutMs, driver);
    }
    case 'tcp': {
      // Checked again at connect time: a name may now resolve somewhere it must not.
      const address = await controllerAddress(connection.host, options.allowLocal);
      return connectTcp(address, connection.port, timeoutMs, driver);
    }
    case 'serial':
      return connectSerial(connection.path, connection.baudRate, timeoutMs, driver);
  }
}

/** A machine's state from what its controller reports. */
export function stateOf(status: StatusReport): MachineRow['state'] {
  return status.state === 'Alarm' || status.state === 'Door' ? 'alarm' : 'idle';
}

/**
 * Asks a machine that is not running a job how it is (`?`), and with `unlock` first clears an
 * alarm (a soft reset, then `$X`), then records its state: idle, alarm, or offline when it does
 * not answer (a controller locked by a limit alarm answers nothing until it is unlocked). The
 * machine is held meanwhile (`probe_until`), so no job starts on it and no other check runs;
 * undefined when it is busy or held already. A connection is opened for the check and closed.
 */
export async function checkMachine(
  db: Database,
  id: string,
  options: { timeoutMs: number; allowLocal: boolean; commandTimeoutMs?: number; unlock?: boolean },
): Promise<MachineRow | undefined> {
  const now = new Date();
  const [held] = await db
    .update(machines)
    .set({ probeUntil: new Date(now.getTime() + 2 * options.timeoutMs + 1000) })
    .where(
      and(
        eq(machines.id, id),
        ne(machines.state, 'busy'),
        or(isNull(machines.probeUntil), lt(machines.probeUntil, now)),
      ),
    )
    .returning();
  if (!held) return undefined;
  let status: StatusReport | undefined;
  let connection: GrblConnection | undefined;
  try {
    // Unlocking resets on connect: after a limit alarm GRBL answers nothing but a reset
    // (protocol.c, protocol_exec_rt_system); the alarm outlives it, and `$X` then clears it.
    connection = await connectMachine(held, { ...options, reset: options.unlock });
    // An alarm GRBL will not clear is reported by the status below, not as a lost machine.
    if (options.unlock) await connection.command('$X').catch(() => undefined);
    status = await connection.status();
  } catch {
    // Not reachable, or not answering like GRBL: offline until a check finds it again.
  } finally {
    connection?.close();
  }
  const [row] = await db
    .update(machines)
    .set({
      state: status ? stateOf(status) : 'offline',
      lastStatus: status ?? held.lastStatus,
      lastSeenAt: status ? new Date() : held.lastSeenAt,
      probeUntil: null,
    })
    .where(eq(machines.id, id))
    .returning();
  return row;
}
