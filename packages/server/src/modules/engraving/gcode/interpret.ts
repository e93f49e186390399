/**
 * An interpreter of the G-code we send, so the preview, the time estimate and the verification all
 * read the very file a machine gets (not the data it was made from). It knows GRBL 1.1's modal
 * state for the words we use and refuses any other word: a file it accepts uses nothing a GRBL
 * controller would reject.
 */

export interface Move {
  kind: 'rapid' | 'feed';
  from: { x: number; y: number; z: number };
  to: { x: number; y: number; z: number };
  /** mm/min: the feed for G1, null for G0 (the machine's max rate). */
  feed: number | null;
  /** Laser power S while moving; 0 when off (G0, M5, or S0). */
  power: number;
}

export class GcodeError extends Error {
  override name = 'GcodeError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** G and M codes we emit, and the parameter words. */
const G_CODES = new Set(['0', '1', '21', '90']);
const M_CODES = new Set(['2', '3', '4', '5', '8', '9']);
const PARAMETERS = new Set(['X', 'Y', 'Z', 'F', 'S']);

export interface Interpreted {
  moves: Move[];
  /** Laser state when the file ends (must be off). */
  laserOnAtEnd: boolean;
  /** Words in order of first use, for the tests' "allowed words only" check. */
  words: Set<string>;
}

export function interpret(gcode: string): Interpreted {
  const position = { x: 0, y: 0, z: 0 };
  let motion: 'G0' | 'G1' | undefined;
  let feed: number | null = null;
  let power = 0;
  let laser: 'M3' | 'M4' | 'M5' = 'M5';
  const moves: Move[] = [];
  const words = new Set<string>();
  const lines = gcode.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]
      .replace(/\(.*?\)/g, '')
      .replace(/;.*$/, '')
      .trim()
      .toUpperCase();
    if (!text) continue;
    const target = { ...position };
    let moved = false;
    for (const [, letter, value] of text.matchAll(/([A-Z])\s*([-+]?\d*\.?\d+)/g)) {
      const number = Number(value);
      if (letter === 'G' || letter === 'M') {
        const code = String(number);
        if (!(letter === 'G' ? G_CODES : M_CODES).has(code))
          throw new GcodeError(index + 1, `${letter}${code} is not a word we send`);
        words.add(`${letter}${code}`);
        if (letter === 'G' && (code === '0' || code === '1')) motion = `G${code}`;
        if (letter === 'M' && (code === '3' || code === '4' || code === '5')) laser = `M${code}`;
        if (letter === 'M' && code === '2') laser = 'M5';
      } else if (PARAMETERS.has(letter)) {
        words.add(letter);
        if (letter === 'F') feed = number;
        else if (letter === 'S') power = number;
        else {
          target[letter.toLowerCase() as 'x' | 'y' | 'z'] = number;
          moved = true;
        }
      } else throw new GcodeError(index + 1, `the word ${letter} is not one we send`);
    }
    if (text.replace(/([A-Z])\s*([-+]?\d*\.?\d+)/g, '').trim())
      throw new GcodeError(index + 1, `cannot read "${lines[index].trim()}"`);
    if (!moved) continue;
    if (!motion) throw new GcodeError(index + 1, 'a move before any G0 or G1');
    if (motion === 'G1' && feed === null) throw new GcodeError(index + 1, 'G1 without a feed (F)');
    moves.push({
      kind: motion === 'G0' ? 'rapid' : 'feed',
      from: { ...position },
      to: { ...target },
      feed: motion === 'G0' ? null : feed,
      // GRBL's laser mode: G0 never burns; M5 is off; S scales the power.
      power: motion === 'G0' || laser === 'M5' ? 0 : power,
    });
    Object.assign(position, target);
  }
  return { moves, laserOnAtEnd: laser !== 'M5' && power > 0, words };
}

/** The rectangle the moves cover (a loop: a spread of 100,000 points overflows the stack). */
export function bounds(moves: Move[]) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const move of moves)
    for (const p of [move.from, move.to]) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
  return { minX, minY, maxX, maxY };
}
