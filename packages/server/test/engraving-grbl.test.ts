/**
 * Streaming to GRBL over TCP, against the simulator speaking the real protocol: a whole job with
 * character counting (no byte ever lost from the 128-byte buffer — sending without counting does
 * lose bytes), progress, feed hold and resume, `error:N` mid-file, a dropped connection, a soft
 * limit alarm and unlock, `$C` check mode, `$$` settings.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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
    await new Promise((resolve) => raw.once('connect', resolve));
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

  // GRBL 1.1 (protocol.c, protocol_exec_rt_system): after a soft or hard limit the controller
  // answers nothing — `$X` included — until a soft reset; the alarm outlives the reset.
  it('a soft-limit alarm locks the controller until a reset; then $X unlocks', async () => {
    await expect(machine.stream('G21 G90\nG0 X500 Y10\n')).rejects.toMatchObject({
      kind: 'alarm',
      code: 2,
    });
    // Deaf: no status report, and a plain $X times out (the driver never waits forever).
    await expect(machine.status()).rejects.toMatchObject({ kind: 'connection' });
    const started = Date.now();
    await expect(machine.command('$X', 300)).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(simulator.state).toBe('Alarm');
    // The operator's unlock: Ctrl-X, the greeting, then $X.
    expect(await machine.unlock()).toEqual(['[MSG:Caution: Unlocked]']);
    expect(await machine.status()).toMatchObject({ state: 'Idle' });
  });

  it('in alarm after a reset, G-code is refused (error:9) and $C too (error:8) until $X', async () => {
    simulator.alarm(1); // a hard limit
    await expect(machine.command('$X', 300)).rejects.toMatchObject({ kind: 'timeout' });
    const greeted = new Promise<string[]>((resolve) => {
      const raw = connect(port, '127.0.0.1');
      const said: string[] = [];
      raw.on('data', (chunk) => {
        said.push(...chunk.toString().split(/\r?\n/).filter(Boolean));
        if (said.some((l) => l.startsWith('[MSG:'))) {
          raw.destroy();
          resolve(said);
        }
      });
      raw.on('connect', () => raw.write('\x18'));
    });
    // A new connection replaces the old one (one serial line); its reset announces the alarm.
    expect(await greeted).toEqual(["Grbl 1.1h ['$' for help]", "[MSG:'$H'|'$X' to unlock]"]);
    machine.close();
    machine = await connectTcp('127.0.0.1', port);
    await expect(machine.command('G0 X1 Y1')).rejects.toMatchObject({ code: 9 });
    await expect(machine.command('$C')).rejects.toMatchObject({ code: 8 });
    expect(await machine.command('$X')).toEqual(['[MSG:Caution: Unlocked]']);
    expect(await machine.command('$X')).toEqual([]); // no effect out of alarm
  });

  it('dry-runs in check mode: every line checked, nothing moves', async () => {
    expect(await machine.command('$C')).toEqual(['[MSG:Enabled]']);
    const lines: number[] = [];
    const check = machine.stream(program, (p) => lines.push(p.acknowledged));
    await expect.poll(() => lines.at(-1)).toBe(commands.length);
    expect(simulator.executed).toEqual([]);
    // system.c: the `ok` comes before the reset's greeting.
    expect(await machine.command('$C')).toEqual(['[MSG:Disabled]']);
    void check.catch(() => undefined);
    const settings = await machine.command('$$');
    expect(settings).toContain('$30=1000');
    expect(settings).toContain('$32=1');
  });

  // limits.c, limits_soft_check runs from mc_line before its check-mode return: a dry run alarms
  // where the real run would (the old simulator answered ok).
  // motion_control.c, mc_reset: a reset while moving is ALARM:3, reported before the greeting.
  it('a soft reset mid-job: ALARM:3, then the greeting; the machine stays in alarm', async () => {
    const slow = new GrblSimulator({ speed: 50 });
    const slowPort = await slow.listen();
    const moving = await connectTcp('127.0.0.1', slowPort);
    const done = moving.stream(program, (p) => {
      if (p.acknowledged === 20) moving.softReset();
    });
    await expect(done).rejects.toMatchObject({ kind: 'alarm', code: 3 });
    await expect.poll(() => slow.state).toBe('Alarm');
    expect(await moving.status()).toMatchObject({ state: 'Alarm' });
    moving.close();
    await slow.close();
  });

  // protocol.c: the line buffer holds 79 characters after spaces and comments are dropped.
  it('79 characters after GRBL filtering pass; 80 are error:11, refused before sending', async () => {
    // n characters: a move to (1, 1) at F1 written with leading zeros.
    const at = (n: number) => `G1X1Y1F${'0'.repeat(n - 8)}1`;
    // Under the 128-byte receive buffer raw, a dozen characters once filtered.
    const spaced = `G1 X1 Y1 F1500 ${' '.repeat(40)}(a comment of some length, dropped)`;
    expect(await machine.command('$C')).toEqual(['[MSG:Enabled]']);
    expect(await machine.command(spaced)).toEqual([]);
    expect(await machine.command(at(79))).toEqual([]);
    await expect(machine.command(at(80))).rejects.toMatchObject({ code: 11 });
    await expect(machine.stream(`G21\n${at(80)}\n`)).rejects.toMatchObject({
      code: 11,
      line: 2,
    });
    expect(simulator.executed).toEqual([]);
  });

  it('check mode still checks soft limits', async () => {
    await machine.command('$C');
    await expect(machine.stream('G21 G90\nG0 X500 Y10\n')).rejects.toMatchObject({
      kind: 'alarm',
      code: 2,
    });
    expect(simulator.executed).toEqual([]);
    expect(await machine.unlock()).toEqual(['[MSG:Caution: Unlocked]']);
  });

  it('connects to a bridge that relays no greeting (ser2net, an ESP32): a status report will do', async () => {
    const bridge = createServer((socket) => {
      socket.on('data', (data) => {
        if (data.includes('?')) socket.write('<Idle|MPos:0.000,0.000,0.000|FS:0,0>\r\n');
      });
    });
    await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve));
    const silent = await connectTcp('127.0.0.1', (bridge.address() as { port: number }).port, 2000);
    expect(silent.lastStatus).toMatchObject({ state: 'Idle' });
    silent.close();
    // Nothing at all answers: refused in time, naming what was awaited.
    const mute = createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    await expect(
      connectTcp('127.0.0.1', (mute.address() as { port: number }).port, 300),
    ).rejects.toThrow(/greeting or status report/);
    bridge.close();
    mute.close();
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
