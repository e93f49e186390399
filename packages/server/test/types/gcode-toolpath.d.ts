/** The part of cncjs's gcode-toolpath (no types of its own) the toolpath check uses. */
declare module 'gcode-toolpath' {
  interface Point {
    x: number;
    y: number;
    z: number;
  }
  interface Modal {
    /** G0, G1, G2, G3, … */
    motion: string;
    /** M3, M4 or M5. */
    spindle: string;
  }
  export default class Toolpath {
    constructor(options: { addLine?: (modal: Modal, from: Point, to: Point) => void });
    /** Runs the program; `each` is called after each line's moves, with the words it parsed. */
    loadFromStringSync(
      gcode: string,
      each?: (data: { line: string; words: [string, number][] }, index: number) => void,
    ): void;
  }
}
