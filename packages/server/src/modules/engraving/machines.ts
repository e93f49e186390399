/**
 * Machines: their profile for toolpaths, and a connection to each. A "simulated" machine is a
 * GRBL simulator started in this process on loopback (one per machine), reached over TCP like a
 * networked controller, so demos and dry runs take the same path as real machines.
 */
import type { MachineProfile } from './gcode/settings.js';
import { connectSerial, connectTcp, type GrblConnection } from './grbl/driver.js';
import { GrblSimulator } from './grbl/simulator.js';
import type { machines } from './schema.js';

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

export async function closeSimulators(): Promise<void> {
  const all = [...simulators.values()];
  simulators.clear();
  for (const running of all) await (await running).simulator.close();
}

export async function connectMachine(machine: MachineRow): Promise<GrblConnection> {
  const connection = machine.connection as Connection;
  switch (connection.type) {
    case 'simulated': {
      const { port } = await simulatorOf(machine, connection.speed);
      return connectTcp('127.0.0.1', port);
    }
    case 'tcp':
      return connectTcp(connection.host, connection.port);
    case 'serial':
      return connectSerial(connection.path, connection.baudRate);
  }
}
