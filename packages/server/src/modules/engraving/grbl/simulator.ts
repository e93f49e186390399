/**
 * A GRBL 1.1 controller simulated over TCP on loopback, speaking the real protocol: a 128-byte
 * receive buffer (bytes beyond it are lost and counted, as on the real board), a 15-block planner
 * (`ok` is sent when a line enters it), status reports on `?`, feed hold `!`, resume `~`, soft
 * reset (Ctrl-X), `$C` check mode, `$X` unlock, `$$` settings, `error:N` for words it does not
 * know, and ALARM 2 for a move beyond the work area. Moves take their time at the programmed feed
 * divided by `speed`. Used by the tests and selectable as a machine ("simulated") for demos.
 *
 * The alarm, reset and unlock protocol follows GRBL 1.1's source (gnea/grbl), cited where it is
 * implemented: a hard or soft limit is a critical alarm that locks the controller until a soft
 * reset (protocol.c, protocol_exec_rt_system); the alarm state survives the reset and is announced
 * after the greeting (main.c keeps `prior_state`; protocol.c, protocol_main_loop); `$X` and `$C`
 * answer as system.c's system_execute_line does; soft limits are checked in check mode too
 * (limits.c, limits_soft_check, called from motion_control.c's mc_line before its check-mode
 * return).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { grblFiltered, MAX_LINE, RX_BUFFER_SIZE, type MachineState } from './protocol.js';

export interface SimulatorOptions {
  /** Work area in mm; a move beyond it raises ALARM:2 (soft limits on). */
  workArea?: { x: number; y: number };
  maxPower?: number;
  /** How many times faster than real time moves run (1: real time). */
  speed?: number;
  /** Answer `error:<code>` instead of ok to the program line with this number (1-based, per connection). */
  failAtLine?: { line: number; code: number };
  /** Close the connection after receiving this many program lines (a cable pulled out). */
  dropAfterLines?: number;
}

const PLANNER_BLOCKS = 15;
const WELCOME = "\r\nGrbl 1.1h ['$' for help]\r\n";
/** report.c, report_feedback_message: MESSAGE_ALARM_LOCK and MESSAGE_CRITICAL_EVENT. */
const ALARM_LOCK = "[MSG:'$H'|'$X' to unlock]";
const CRITICAL_EVENT = '[MSG:Reset to continue]';
const G_CODES = new Set([0, 1, 2, 3, 4, 17, 20, 21, 90, 91, 92, 94]);
const M_CODES = new Set([0, 1, 2, 3, 4, 5, 7, 8, 9, 30]);
const WORDS = /^[GMXYZFSPIJKNL]$/;

interface Block {
  to: { x: number; y: number; z: number };
  ms: number;
  power: number;
  feed: number;
  line: string;
}

export class GrblSimulator {
  /** Program lines executed (moved the head or changed state), in order, across connections. */
  readonly executed: string[] = [];
  /** Bytes received beyond the 128-byte buffer: a streamer that counts characters keeps this 0. */
  overflows = 0;
  state: MachineState = 'Idle';
  readonly position = { x: 0, y: 0, z: 0 };
  /** Where the last planned block ends (ahead of `position`, which moves as blocks run). */
  private planned = { x: 0, y: 0, z: 0 };
  private server?: Server;
  private rx = '';
  private planner: Block[] = [];
  private running?: NodeJS.Timeout;
  private socket?: Socket;
  private check = false;
  /** After a hard or soft limit: deaf to everything but a soft reset (Ctrl-X). */
  private locked = false;
  private received = 0;
  private modal = { motion: 0, feed: 0, power: 0, laser: 5 };
  private readonly options: Required<Omit<SimulatorOptions, 'failAtLine' | 'dropAfterLines'>> &
    SimulatorOptions;

  constructor(options: SimulatorOptions = {}) {
    this.options = { workArea: { x: 400, y: 400 }, maxPower: 1000, speed: 100, ...options };
  }

  /** Listens on loopback: a free port, or the one given (a machine coming back online). */
  async listen(port = 0): Promise<number> {
    this.server = createServer((socket) => this.attach(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    clearTimeout(this.running);
    this.socket?.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /**
   * Power-up with homing enabled: main.c (HOMING_INIT_LOCK) starts in the alarm state, which
   * answers status and `$` commands but no G-code until `$H` or `$X`.
   */
  homingLock() {
    this.reset();
    this.state = 'Alarm';
    this.send(ALARM_LOCK);
  }

  /** A limit switch hit (ALARM:1): a critical alarm, as GRBL's hard limit is. */
  alarm(code = 1) {
    this.criticalAlarm(code);
  }

  /**
   * protocol.c, protocol_exec_rt_system: on EXEC_ALARM_HARD_LIMIT or EXEC_ALARM_SOFT_LIMIT GRBL
   * reports the alarm and MESSAGE_CRITICAL_EVENT, then loops until a reset, answering nothing —
   * not even `?` (the loop watches EXEC_RESET alone). What arrives meanwhile is dropped with the
   * receive buffer at the reset (main.c, serial_reset_read_buffer).
   */
  private criticalAlarm(code: number) {
    this.reset();
    this.state = 'Alarm';
    this.send(`ALARM:${code}`);
    this.send(CRITICAL_EVENT);
    this.locked = true;
  }

  /** Changes what the next connection does (a fault for one test step). */
  configure(options: Partial<SimulatorOptions>) {
    Object.assign(this.options, options);
  }

  private attach(socket: Socket) {
    this.socket?.destroy();
    this.socket = socket;
    this.received = 0;
    // A new connection is a new sender, not a new board: no greeting, as a board behind a
    // serial-to-TCP bridge sends none (GRBL greets only when it starts: main.c,
    // report_init_message). What the last sender left in the buffers is dropped.
    this.reset();
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
  }

  private send(text: string) {
    this.socket?.write(`${text}\r\n`);
  }

  private receive(data: string) {
    for (const char of data) {
      if (this.locked && char !== '\x18') continue;
      // Real-time commands are picked out of the stream and never buffered.
      if (char === '?') this.send(this.statusReport());
      else if (char === '!') {
        if (this.state === 'Run') this.state = 'Hold';
      } else if (char === '~') {
        if (this.state === 'Hold') {
          this.state = 'Run';
          this.run();
        }
      } else if (char === '\x18') {
        // motion_control.c, mc_reset: a reset in motion raises ALARM:3 (abort cycle), reported
        // before the abort restarts the main loop and its greeting. The alarm state is kept
        // across the reset (main.c, prior_state) and announced after the greeting.
        const moving = this.state === 'Run' || this.state === 'Hold';
        if (moving) this.send('ALARM:3');
        this.locked = false;
        this.reset();
        if (moving) this.state = 'Alarm';
        this.socket?.write(WELCOME);
        if (this.state === 'Alarm') this.send(ALARM_LOCK);
      } else if (this.rx.length >= RX_BUFFER_SIZE) this.overflows++;
      else this.rx += char;
    }
    this.parseLines();
  }

  /** Lines leave the receive buffer for the planner while it has room; each gets its answer. */
  private parseLines() {
    for (;;) {
      const end = this.rx.indexOf('\n');
      if (end === -1 || this.planner.length >= PLANNER_BLOCKS) return;
      const line = this.rx.slice(0, end).replace(/\r$/, '').trim();
      this.rx = this.rx.slice(end + 1);
      this.answer(line);
    }
  }

  private answer(line: string) {
    // protocol.c, protocol_main_loop: STATUS_OVERFLOW (error:11) for a line longer than the line
    // buffer after filtering; an empty (or comment-only) line is answered ok.
    if (grblFiltered(line).length > MAX_LINE) return this.send('error:11');
    if (!line) return this.send('ok');
    if (line.startsWith('$')) return this.system(line);
    this.received++;
    const { dropAfterLines, failAtLine } = this.options;
    if (dropAfterLines && this.received > dropAfterLines) {
      this.socket?.destroy();
      return;
    }
    if (failAtLine && this.received === failAtLine.line)
      return this.send(`error:${failAtLine.code}`);
    if (this.state === 'Alarm') return this.send('error:9');
    const text = line
      .replace(/\(.*?\)/g, '')
      .replace(/;.*$/, '')
      .toUpperCase()
      .replace(/\s+/g, '');
    const target = { ...this.planned };
    let moved = false;
    let rest = text;
    const modal = { ...this.modal };
    while (rest) {
      const word = /^([A-Z])([-+]?(?:\d+\.?\d*|\.\d+))/.exec(rest);
      if (!word) return this.send(/^[A-Z]/.test(rest) ? 'error:2' : 'error:1');
      rest = rest.slice(word[0].length);
      const [, letter, raw] = word;
      const value = Number(raw);
      if (!WORDS.test(letter)) return this.send('error:20');
      if (letter === 'G') {
        if (!G_CODES.has(value)) return this.send('error:20');
        if (value <= 3) modal.motion = value;
      } else if (letter === 'M') {
        if (!M_CODES.has(value)) return this.send('error:20');
        if (value >= 3 && value <= 5) modal.laser = value;
      } else if (letter === 'F') modal.feed = value;
      else if (letter === 'S') modal.power = Math.min(value, this.options.maxPower);
      else if ('XYZ'.includes(letter)) {
        target[letter.toLowerCase() as 'x' | 'y' | 'z'] = value;
        moved = true;
      }
    }
    if (moved && modal.motion === 1 && modal.feed <= 0) return this.send('error:22');
    this.modal = modal;
    // limits.c, limits_soft_check, from motion_control.c's mc_line before it returns for check
    // mode: a dry run alarms where the real run would. The line gets no `ok`.
    const area = this.options.workArea;
    if (moved && (target.x < 0 || target.y < 0 || target.x > area.x || target.y > area.y))
      return this.criticalAlarm(2);
    if (this.check) return this.send('ok');
    const distance = Math.hypot(
      target.x - this.planned.x,
      target.y - this.planned.y,
      target.z - this.planned.z,
    );
    this.planned = { ...target };
    const feed = modal.motion === 0 ? 6000 : modal.feed;
    this.planner.push({
      to: target,
      ms: moved ? (distance / (feed / 60)) * (1000 / this.options.speed) : 0,
      power: modal.motion === 0 || modal.laser === 5 ? 0 : modal.power,
      feed,
      line,
    });
    this.send('ok');
    if (this.state === 'Idle') this.state = 'Run';
    if (this.state === 'Run') this.run();
  }

  private system(line: string) {
    const command = line.toUpperCase();
    // system.c, system_execute_line, case 'C': leaving check mode resets (mc_reset) after the
    // message; the line's `ok` is reported before the abort restarts the loop with its greeting.
    // Entering needs the idle state: in alarm it is STATUS_IDLE_ERROR (error:8).
    if (command === '$C') {
      if (this.check) {
        this.send('[MSG:Disabled]');
        this.send('ok');
        this.reset();
        this.state = 'Idle';
        this.socket?.write(WELCOME);
        return;
      }
      if (this.state !== 'Idle') return this.send('error:8');
      this.check = true;
      this.state = 'Check';
      this.send('[MSG:Enabled]');
      return this.send('ok');
    }
    // system.c, case 'X': MESSAGE_ALARM_UNLOCK and idle when in alarm; otherwise no effect.
    if (command === '$X') {
      if (this.state === 'Alarm') {
        this.state = 'Idle';
        this.send('[MSG:Caution: Unlocked]');
      }
      return this.send('ok');
    }
    if (command === '$$') {
      const { workArea, maxPower } = this.options;
      for (const setting of [
        '$20=1',
        '$30=' + maxPower,
        '$31=0',
        '$32=1',
        '$110=6000.000',
        '$111=6000.000',
        '$120=500.000',
        '$121=500.000',
        `$130=${workArea.x.toFixed(3)}`,
        `$131=${workArea.y.toFixed(3)}`,
      ])
        this.send(setting);
      return this.send('ok');
    }
    if (command === '$H') {
      Object.assign(this.position, { x: 0, y: 0, z: 0 });
      this.planned = { x: 0, y: 0, z: 0 };
      this.state = 'Idle';
      return this.send('ok');
    }
    return this.send('error:3');
  }

  /**
   * Executes planner blocks in order, each taking its move's time. Blocks shorter than a timer tick
   * run together (up to the planner's 15), so at high speeds the simulated time is kept rather
   * than rounded up to a millisecond per line.
   */
  private run() {
    if (this.running || this.state !== 'Run') return;
    if (!this.planner.length) {
      this.state = 'Idle';
      return;
    }
    const batch: Block[] = [];
    let ms = 0;
    for (const block of this.planner) {
      batch.push(block);
      ms += block.ms;
      if (ms >= 4) break;
    }
    this.running = setTimeout(() => {
      this.running = undefined;
      if (this.state !== 'Run' || this.planner[0] !== batch[0]) return;
      for (const block of batch) {
        this.planner.shift();
        Object.assign(this.position, block.to);
        this.executed.push(block.line);
      }
      this.parseLines();
      this.run();
    }, ms);
  }

  private reset() {
    clearTimeout(this.running);
    this.running = undefined;
    this.rx = '';
    this.planner = [];
    this.check = false;
    this.modal = { motion: 0, feed: 0, power: 0, laser: 5 };
    this.planned = { ...this.position };
    if (this.state !== 'Alarm') this.state = 'Idle';
  }

  private statusReport(): string {
    const { x, y, z } = this.position;
    const block = this.planner[0];
    const running = this.state === 'Run' && block;
    return `<${this.state}|MPos:${x.toFixed(3)},${y.toFixed(3)},${z.toFixed(3)}|FS:${running ? block.feed : 0},${running ? block.power : 0}>`;
  }
}
