/**
 * Streams G-code to a GRBL 1.1 controller over any byte stream (TCP for networked controllers and
 * the simulator; a serial port has the same shape). Character counting, as GRBL's own streaming
 * script does: lines are sent while the bytes awaiting an answer fit in the 128-byte receive
 * buffer, and each `ok` or `error:N` frees the oldest. Status is polled with `?`; feed hold,
 * resume and soft reset are the real-time bytes. An `error:N`, an alarm or a lost connection stops
 * the stream and rejects with what happened and at which line.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import {
  ALARMS,
  ERRORS,
  grblFiltered,
  MAX_LINE,
  parseStatus,
  REALTIME,
  RX_BUFFER_SIZE,
  type StatusReport,
} from './protocol.js';

export class GrblError extends Error {
  override name = 'GrblError';
  constructor(
    message: string,
    readonly kind: 'error' | 'alarm' | 'connection' | 'cancelled' | 'timeout',
    /** The program line (1-based) the machine refused, for `error`. */
    readonly line?: number,
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface StreamProgress {
  /** Lines the controller has answered (ok) out of the total. */
  acknowledged: number;
  total: number;
}

export interface GrblConnection {
  status(): Promise<StatusReport>;
  /** Sends the program; resolves when every line is acknowledged and the machine is idle again. */
  stream(program: string, onProgress?: (progress: StreamProgress) => void): Promise<void>;
  /** One line; rejects with kind 'timeout' when no `ok`/`error` comes within the deadline. */
  command(line: string, timeoutMs?: number): Promise<string[]>;
  /**
   * Clears an alarm as GRBL 1.1 requires: a soft reset first (after a hard or soft limit GRBL
   * answers nothing but a reset: protocol.c, protocol_exec_rt_system), its greeting, then `$X`.
   */
  unlock(): Promise<string[]>;
  /**
   * GRBL's check mode (`$C`): every line is parsed and answered, nothing moves and the laser stays
   * off — a dry run of a program on the machine itself. Leaving it resets the controller.
   */
  checkMode(on: boolean): Promise<void>;
  feedHold(): void;
  resume(): void;
  /** Soft reset: stops at once (the laser with it); the machine then needs `$X` after motion. */
  softReset(): void;
  close(): void;
  readonly lastStatus?: StatusReport;
}

/** How often status is asked for while streaming. */
const POLL_MS = 200;

export interface DriverOptions {
  /** Longest wait for the connection, a greeting or a command's answer, in ms. */
  timeoutMs?: number;
  /**
   * Soft-reset on connect and wait for the greeting (TCP; a serial connection always does): the
   * way to reach a controller locked by a limit alarm, which answers nothing else.
   */
  reset?: boolean;
}

/** A controller on a serial port (USB): GRBL's 115200 baud, 8N1 by default. */
export async function connectSerial(
  path: string,
  baudRate = 115200,
  timeoutMs = 5000,
  options: DriverOptions = {},
): Promise<GrblConnection> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) =>
      error
        ? reject(new GrblError(`cannot open ${path}: ${error.message}`, 'connection'))
        : resolve(),
    ),
  );
  // Whatever the board said before we listened (a greeting of its own) is dropped; a soft reset
  // then gives one greeting to wait for, on boards that reset when the port opens and others.
  await new Promise<void>((resolve) => port.flush(() => resolve()));
  const driver = new Driver(port, options.timeoutMs ?? timeoutMs);
  const greeted = driver.welcomed(timeoutMs);
  driver.softReset();
  await greeted;
  return driver;
}

/**
 * A networked controller. GRBL greets when it starts, but a serial-to-TCP bridge (ser2net, an
 * ESP32 Wi-Fi bridge) connects to a board that started long ago and relays no greeting: a status
 * report (`?` is answered in any state but a critical alarm) proves a GRBL is there just as well.
 */
export async function connectTcp(
  host: string,
  port: number,
  timeoutMs = 5000,
  options: DriverOptions = {},
): Promise<GrblConnection> {
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new GrblError(`no answer from ${host}:${port} in ${timeoutMs} ms`, 'connection'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new GrblError(`cannot connect to ${host}:${port}: ${error.message}`, 'connection'));
    });
  });
  const driver = new Driver(socket, options.timeoutMs ?? timeoutMs);
  const answered = driver.welcomed(timeoutMs, { orStatus: !options.reset });
  socket.write(options.reset ? REALTIME.softReset : REALTIME.status);
  await answered.catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
  return driver;
}

class Driver implements GrblConnection {
  lastStatus?: StatusReport;
  private buffer = '';
  /** Lengths (with newline) of the lines sent and not yet answered, oldest first. */
  private inFlight: number[] = [];
  private listeners = new Set<(line: string) => void>();
  private closed?: GrblError;

  constructor(
    private readonly socket: Duplex,
    /** The deadline of a command's answer (QRFORGE_ENGRAVING_COMMAND_TIMEOUT_MS). */
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let end: number;
      while ((end = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, end).replace(/\r$/, '').trim();
        this.buffer = this.buffer.slice(end + 1);
        if (!line) continue;
        const status = parseStatus(line);
        if (status) this.lastStatus = status;
        for (const listener of [...this.listeners]) listener(line);
      }
    });
    const lost = () => {
      this.closed ??= new GrblError('the connection to the controller was lost', 'connection');
      for (const listener of [...this.listeners]) listener('');
    };
    socket.on('close', lost);
    socket.on('error', lost);
  }

  /**
   * GRBL greets on start and after every reset: wait for it before sending anything. With
   * `orStatus`, a status report will do (a bridge that relays no greeting).
   */
  welcomed(timeoutMs: number, { orStatus = false } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(
          new GrblError(
            `no GRBL greeting${orStatus ? ' or status report' : ''} in ${timeoutMs} ms`,
            'connection',
          ),
        );
      }, timeoutMs);
      const stop = this.listen((line) => {
        const answered = line.startsWith('Grbl ') || (orStatus && parseStatus(line) !== undefined);
        if (!answered && !this.closed) return;
        clearTimeout(timer);
        stop();
        if (this.closed) reject(this.closed);
        else resolve();
      });
    });
  }

  private listen(listener: (line: string) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<StatusReport> {
    this.check();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new GrblError('no status report in 2 s', 'connection'));
      }, 2000);
      const stop = this.listen((line) => {
        if (this.closed) {
          clearTimeout(timer);
          stop();
          return reject(this.closed);
        }
        const status = parseStatus(line);
        if (!status) return;
        clearTimeout(timer);
        stop();
        resolve(status);
      });
      this.socket.write(REALTIME.status);
    });
  }

  /** A single line (a `$` command, say); resolves with the lines before its `ok`. */
  async command(line: string, timeoutMs = this.timeoutMs): Promise<string[]> {
    this.check();
    return new Promise((resolve, reject) => {
      const said: string[] = [];
      // A controller locked by a critical alarm answers nothing until reset: never wait forever.
      const timer = setTimeout(() => {
        stop();
        reject(
          new GrblError(
            `no answer to "${line}" in ${timeoutMs} ms${said.length ? ` (it said: ${said.join(' ')})` : ''}`,
            'timeout',
          ),
        );
      }, timeoutMs);
      const stop = this.listen((answer) => {
        if (this.closed) {
          clearTimeout(timer);
          stop();
          return reject(this.closed);
        }
        if (answer === 'ok') {
          clearTimeout(timer);
          stop();
          resolve(said);
        } else if (answer.startsWith('error:')) {
          clearTimeout(timer);
          stop();
          const code = Number(answer.slice(6));
          reject(
            new GrblError(
              `"${line}": error ${code}: ${ERRORS[code] ?? 'unknown'}`,
              'error',
              1,
              code,
            ),
          );
        } else if (!answer.startsWith('<')) said.push(answer);
      });
      this.socket.write(`${line}\n`);
    });
  }

  async unlock(): Promise<string[]> {
    this.check();
    const greeted = this.welcomed(this.timeoutMs);
    this.softReset();
    await greeted;
    return this.command('$X');
  }

  async checkMode(on: boolean): Promise<void> {
    if (((await this.status()).state === 'Check') === on) return;
    if (on) {
      await this.command('$C');
      return;
    }
    // Leaving check mode soft-resets GRBL: wait for its greeting as well as the `ok`.
    const greeted = this.welcomed(5000);
    await this.command('$C');
    await greeted;
  }

  stream(program: string, onProgress?: (progress: StreamProgress) => void): Promise<void> {
    this.check();
    const lines = program
      .split('\n')
      .map((line) => line.replace(/;.*$/, '').trim())
      .filter(Boolean);
    // GRBL's limit is its line buffer after filtering (79 characters), not the 128-byte receive
    // buffer: refused here, before anything moves, rather than as error:11 mid-job.
    const tooLong = lines.findIndex((line) => grblFiltered(line).length > MAX_LINE);
    if (tooLong !== -1)
      return Promise.reject(
        new GrblError(
          `line ${tooLong + 1} has ${grblFiltered(lines[tooLong]).length} characters after GRBL's filtering; GRBL executes at most ${MAX_LINE}`,
          'error',
          tooLong + 1,
          11,
        ),
      );
    return new Promise<void>((resolve, reject) => {
      let sent = 0;
      let acknowledged = 0;
      this.inFlight = [];
      const poll = setInterval(() => this.socket.write(REALTIME.status), POLL_MS);
      const finish = (error?: GrblError) => {
        clearInterval(poll);
        stop();
        if (error) reject(error);
        else resolve();
      };
      const fill = () => {
        while (sent < lines.length) {
          const length = lines[sent].length + 1;
          const used = this.inFlight.reduce((sum, n) => sum + n, 0);
          if (used + length > RX_BUFFER_SIZE) break;
          this.inFlight.push(length);
          this.socket.write(`${lines[sent]}\n`);
          sent++;
        }
      };
      const stop = this.listen((line) => {
        if (this.closed) return finish(this.closed);
        if (line === 'ok') {
          this.inFlight.shift();
          acknowledged++;
          onProgress?.({ acknowledged, total: lines.length });
          fill();
        } else if (line.startsWith('error:')) {
          const code = Number(line.slice(6));
          const at = acknowledged + 1;
          // Stop the motion already planned: the program is wrong from here on.
          this.softReset();
          finish(
            new GrblError(
              `the controller refused line ${at} ("${lines[at - 1]}"): error ${code}: ${ERRORS[code] ?? 'unknown'}`,
              'error',
              at,
              code,
            ),
          );
        } else if (line.startsWith('ALARM:')) {
          const code = Number(line.slice(6));
          finish(
            new GrblError(`alarm ${code}: ${ALARMS[code] ?? 'unknown'}`, 'alarm', undefined, code),
          );
        } else if (line.startsWith('Grbl ') && acknowledged < lines.length)
          finish(new GrblError('the controller was reset during the job', 'cancelled'));
        else if (
          acknowledged === lines.length &&
          (this.lastStatus?.state === 'Idle' || this.lastStatus?.state === 'Check') &&
          line.startsWith('<')
        )
          finish();
      });
      fill();
    });
  }

  feedHold() {
    this.socket.write(REALTIME.feedHold);
  }

  resume() {
    this.socket.write(REALTIME.cycleStart);
  }

  softReset() {
    this.socket.write(REALTIME.softReset);
  }

  close() {
    this.socket.destroy();
  }

  private check() {
    if (this.closed) throw this.closed;
  }
}
