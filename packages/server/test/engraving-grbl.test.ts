/**
 * Streaming to GRBL over TCP, against the simulator speaking the real protocol: a whole job with
 * character counting (no byte ever lost from the 128-byte buffer — sending without counting does
 * lose bytes), progress, feed hold and resume, `error:N` mid-file, a dropped connection, a soft
 * limit alarm and unlock, `$C` check mode, `$$` settings.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeText, toMatrix } from '@qrforge/qr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateGcode } from '../src/modules/engraving/gcode/generate.js';
import {
  DEFAULT_MACHINE,
  DEFAULT_PLACEMENT,
  DEFAULT_SETTINGS,
} from '../src/modules/engraving/gcode/settings.js';
import {
  connectSerial,
  connectTcp,
  GrblError,
  type GrblConnection,
} from '../src/modules/engraving/grbl/driver.js';
import { GrblSimulator } from '../src/modules/engraving/grbl/simulator.js';

const UID = 'PAD-V0100-L2025-09-00001';
const program = generateGcode(
  toMatrix(encodeText(UID)),
  { ...DEFAULT_SETTINGS, passes: 1 },
  DEFAULT_PLACEMENT,
  DEFAULT_MACHINE,
  UID,
).gcode;
const commands = program.split('\n').filter((line) => line && !line.startsWith(';'));

describe('GRBL streaming against the simulator', () => {
  let simulator: GrblSimulator;
  let port: number;
  let machine: GrblConnection;

  beforeEach(async () => {
    // 5000x real time: the 25x25 code's ~90 s of burning takes ~20 ms of moves.
    simulator = new GrblSimulator({ speed: 5000 });
    port = await simulator.listen();
    machine = await connectTcp('127.0.0.1', port);
  });
  afterEach(async () => {
    machine.close();
    await simulator.close();
  });

  it('streams a whole job by counting characters, with progress, and loses no byte', async () => {
    const progress: number[] = [];
    await machine.stream(program, (p) => progress.push(p.acknowledged));
    expect(simulator.overflows).toBe(0);
    expect(simulator.executed).toEqual(commands);
    expect(progress.at(-1)).toBe(commands.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(await machine.status()).toMatchObject({ state: 'Idle' });
    console.info(`streamed ${commands.length} lines (${program.length} bytes), 0 bytes lost`);
  });

  it('loses bytes when a sender ignores the buffer (the simulator enforces it)', async () => {
    machine.close();
    const raw = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => raw.once('data', resolve));
    raw.write(commands.join('\n') + '\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    raw.destroy();
    expect(simulator.overflows).toBeGreaterThan(0);
  });

  it('holds and resumes', async () => {
    const done = machine.stream(program, (p) => {
      if (p.acknowledged === 40) machine.feedHold();
    });
    await expect.poll(async () => (await machine.status()).state).toBe('Hold');
    const held = simulator.executed.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(simulator.executed.length).toBe(held);
    machine.resume();
    await done;
    expect(simulator.executed).toEqual(commands);
  });

  it('stops at an error:N mid-file, naming the line', async () => {
    simulator.configure({ failAtLine: { line: 60, code: 20 } });
    machine.close();
    machine = await connectTcp('127.0.0.1', port);
    const error = await machine.stream(program).catch((e: unknown) => e as GrblError);
    expect(error).toBeInstanceOf(GrblError);
    expect(error).toMatchObject({ kind: 'error', line: 60, code: 20 });
    expect((error as GrblError).message).toContain(`line 60 ("${commands[59]}")`);
    expect(simulator.executed.length).toBeLessThan(60);
  });

  it('reports a dropped connection', async () => {
    simulator.configure({ dropAfterLines: 50 });
    machine.close();
    machine = await connectTcp('127.0.0.1', port);
    await expect(machine.stream(program)).rejects.toMatchObject({ kind: 'connection' });
  });

  it('raises the soft-limit alarm, refuses moves until unlocked', async () => {
    await expect(machine.stream('G21 G90\nG0 X500 Y10\n')).rejects.toMatchObject({
      kind: 'alarm',
      code: 2,
    });
    expect(await machine.status()).toMatchObject({ state: 'Alarm' });
    await expect(machine.command('G0 X1 Y1')).rejects.toMatchObject({ code: 9 });
    expect(await machine.command('$X')).toEqual(['[MSG:Caution: Unlocked]']);
    expect(await machine.status()).toMatchObject({ state: 'Idle' });
  });

  it('dry-runs in check mode: every line checked, nothing moves', async () => {
    expect(await machine.command('$C')).toEqual(['[MSG:Enabled]']);
    const lines: number[] = [];
    const check = machine.stream(program, (p) => lines.push(p.acknowledged));
    await expect.poll(() => lines.at(-1)).toBe(commands.length);
    expect(simulator.executed).toEqual([]);
    expect(await machine.command('$C')).toEqual(['[MSG:Disabled]', "Grbl 1.1h ['$' for help]"]);
    void check.catch(() => undefined);
    const settings = await machine.command('$$');
    expect(settings).toContain('$30=1000');
    expect(settings).toContain('$32=1');
  });
});

/**
 * A serial port for real: socat joins a pseudo-terminal (what a USB-serial adapter looks like to
 * the kernel) to the simulator's TCP port, and the driver opens it with the `serialport` package.
 */
const socat = spawnSync('socat', ['-V']).status === 0;
if (!socat)
  console.warn('socat is not installed: the serial-port test is skipped (apt-get install socat)');
describe.skipIf(!socat && !process.env.QRFORGE_REQUIRE_SERVICES)('GRBL over a serial port', () => {
  it('streams a job through a pseudo-terminal', async () => {
    const simulator = new GrblSimulator({ speed: 5000 });
    const port = await simulator.listen();
    const path = join(mkdtempSync(join(tmpdir(), 'qrforge-tty-')), 'ttyGRBL');
    const bridge = spawn('socat', [`pty,link=${path},raw,echo=0`, `tcp:127.0.0.1:${port}`]);
    try {
      await expect.poll(() => existsSync(path)).toBe(true);
      const machine = await connectSerial(path);
      await machine.stream(program);
      expect(simulator.executed).toEqual(commands);
      expect(simulator.overflows).toBe(0);
      machine.close();
    } finally {
      bridge.kill();
      await simulator.close();
    }
  });
});
