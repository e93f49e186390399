/**
 * GRBL 1.1's serial protocol, the parts a streamer needs: the receive buffer size, the real-time
 * command bytes (never buffered, never answered with ok), and what its answers mean.
 */

/** GRBL's serial receive buffer (RX_BUFFER_SIZE): a streamer must never have more in flight. */
export const RX_BUFFER_SIZE = 128;

/**
 * The longest line GRBL executes, counted after its own filtering: protocol.c's main loop drops
 * spaces, control characters and comments and upper-cases letters, and flags an overflow
 * (error:11) at LINE_BUFFER_SIZE - 1 characters; LINE_BUFFER_SIZE is 80 (protocol.h).
 */
export const MAX_LINE = 79;

/** A line as GRBL's main loop keeps it (protocol.c, protocol_main_loop). */
export function grblFiltered(line: string): string {
  return (
    line
      .replace(/\([^)]*\)?/g, '')
      .replace(/;.*$/, '')
      // eslint-disable-next-line no-control-regex -- GRBL drops every byte up to space (c <= ' ').
      .replace(/[\x00-\x20]/g, '')
      .toUpperCase()
  );
}

export const REALTIME = {
  status: '?',
  feedHold: '!',
  cycleStart: '~',
  softReset: '\x18',
} as const;

/** GRBL 1.1's error codes that a job's log should name (the full list is in GRBL's wiki). */
export const ERRORS: Record<number, string> = {
  1: 'G-code words consist of a letter and a value; the letter was not found',
  2: 'numeric value format is not valid or missing an expected value',
  3: "Grbl '$' system command was not recognized or supported",
  8: "Grbl '$' command cannot be used unless Grbl is IDLE",
  9: 'G-code locked out during alarm or jog state',
  11: 'max characters per line exceeded; the line was not processed and executed',
  15: 'jog target exceeds machine travel',
  20: 'unsupported or invalid g-code command found in block',
  22: 'feed rate has not yet been set or is undefined',
  24: 'two G-code commands that both require the use of axis words were detected in the block',
  33: 'the motion command has an invalid target',
};

export const ALARMS: Record<number, string> = {
  1: 'hard limit triggered; position is likely lost, re-homing is recommended',
  2: 'G-code motion target exceeds machine travel (soft limit)',
  3: 'reset while in motion; position is likely lost',
  9: 'homing fail: could not find limit switch',
};

export type MachineState = 'Idle' | 'Run' | 'Hold' | 'Alarm' | 'Check' | 'Door' | 'Home';

export interface StatusReport {
  state: MachineState;
  position: { x: number; y: number; z: number };
  feed: number;
  power: number;
}

/** `<Run|MPos:10.000,5.000,0.000|FS:1500,750>` to its parts; undefined if it is not one. */
export function parseStatus(line: string): StatusReport | undefined {
  const match = /^<([A-Za-z]+)(?::\d+)?\|(.*)>$/.exec(line.trim());
  if (!match) return undefined;
  const fields = new Map(
    match[2].split('|').map((field) => {
      const at = field.indexOf(':');
      return [field.slice(0, at), field.slice(at + 1)] as const;
    }),
  );
  const [x = 0, y = 0, z = 0] = (fields.get('MPos') ?? fields.get('WPos') ?? '0,0,0')
    .split(',')
    .map(Number);
  const [feed = 0, power = 0] = (fields.get('FS') ?? fields.get('F') ?? '0,0')
    .split(',')
    .map(Number);
  return { state: match[1] as MachineState, position: { x, y, z }, feed, power };
}
