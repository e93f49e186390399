/**
 * G-code for GRBL 1.1 from a QR module matrix (not a bitmap): each dark module is filled by raster
 * lines at the line interval (or dots, for fibre lasers). The module size is snapped to a whole
 * number of lines, so every module gets the same lines and no line straddles two modules; a run of
 * dark modules along a row is one burn, shortened by half the spot at each end so the burnt area
 * matches the modules. Words used: G0 G1 G21 G90 M2 M3 M4 M5 M8 M9 X Y Z F S — nothing GRBL
 * would refuse. Every file starts and ends with the laser off (M5).
 */
import {
  checkSettings,
  ToolpathError,
  type LaserSettings,
  type MachineProfile,
  type Placement,
} from './settings.js';

export interface Toolpath {
  gcode: string;
  /** The module size used, mm (the request snapped to whole line intervals). */
  moduleSize: number;
  /** Symbol side without quiet zone, mm. */
  side: number;
  /** Raster lines (or dots) per pass. */
  strokes: number;
  /** G-code lines. */
  lines: number;
}

/** Numbers as GRBL reads them: at most 3 decimals, no trailing zeros, no "-0". */
export function num(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return (Object.is(rounded, -0) ? 0 : rounded).toString();
}

export function generateGcode(
  matrix: readonly (readonly boolean[])[],
  settings: LaserSettings,
  placement: Placement,
  machine: MachineProfile,
  title = '',
): Toolpath {
  checkSettings(settings, machine);
  const n = matrix.length;
  const perModule = Math.max(1, Math.round(placement.moduleSize / settings.lineInterval));
  const module = perModule * settings.lineInterval;
  const side = n * module;
  const map = placer(placement, side);
  checkFits(placement, machine, module, side, settings.overscan, map);

  const s = Math.round((settings.power / 100) * machine.maxPower);
  const out: string[] = [];
  const emit = (line: string) => out.push(line);
  // A comment of printable ASCII only, as GRBL's line buffer expects.
  const safeTitle = title.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
  emit(`; QR Forge ${safeTitle}`.trimEnd());
  emit(
    `; ${n}x${n} modules of ${num(module)} mm, ${settings.mode}, ${settings.power} % (S${s} of ${machine.maxPower}), F${settings.speed}, ${settings.passes} pass(es)`,
  );
  emit('G21 G90');
  emit('M5 S0');
  if (settings.airAssist) emit('M8');
  emit(settings.dynamicPower ? 'M4 S0' : 'M3 S0');
  let feedSet = false;
  const burn = (x: number, y: number, power: number) => {
    emit(`G1 X${num(x)} Y${num(y)} S${power}${feedSet ? '' : ` F${settings.speed}`}`);
    feedSet = true;
  };
  const rapid = (x: number, y: number) => emit(`G0 X${num(x)} Y${num(y)}`);

  let strokes = 0;
  for (let pass = 0; pass < settings.passes; pass++) {
    if (machine.hasZ && settings.depth > 0 && pass > 0) emit(`G0 Z${num(-settings.depth * pass)}`);
    strokes = 0;
    let leftToRight = true;
    for (let row = 0; row < n; row++) {
      const runs = darkRuns(matrix[row]);
      if (!runs.length) continue;
      for (let line = 0; line < perModule; line++) {
        const v = row * module + (line + 0.5) * settings.lineInterval;
        if (settings.mode === 'dot') {
          for (const [from, to] of runs)
            for (
              let u = from * module + settings.lineInterval / 2;
              u < to * module;
              u += settings.lineInterval
            ) {
              const half = Math.min(machine.spotSize, settings.lineInterval) / 2;
              const a = map(u - half, v);
              const b = map(u + half, v);
              rapid(a.x, a.y);
              burn(b.x, b.y, s);
              strokes++;
            }
          continue;
        }
        // Shorten each burn by half the spot at both ends: the burnt mark then spans the modules.
        const trim = Math.min(machine.spotSize / 2, module / 4);
        const segments = runs.map(([from, to]) => [from * module + trim, to * module - trim]);
        if (!leftToRight) segments.reverse().forEach((seg) => seg.reverse());
        const direction = leftToRight ? 1 : -1;
        const start = map(segments[0][0] - direction * settings.overscan, v);
        rapid(start.x, start.y);
        for (const [from, to] of segments) {
          const a = map(from, v);
          const b = map(to, v);
          burn(a.x, a.y, 0);
          burn(b.x, b.y, s);
        }
        const last = segments.at(-1)![1];
        const end = map(last + direction * settings.overscan, v);
        burn(end.x, end.y, 0);
        strokes++;
        if (settings.bidirectional) leftToRight = !leftToRight;
      }
    }
  }
  emit('M5 S0');
  if (machine.hasZ && settings.depth > 0 && settings.passes > 1) emit('G0 Z0');
  if (settings.airAssist) emit('M9');
  emit('M2');
  return { gcode: `${out.join('\n')}\n`, moduleSize: module, side, strokes, lines: out.length };
}

/** [first, end) column ranges of dark modules in a row. */
function darkRuns(row: readonly boolean[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let x = 0; x < row.length; x++) {
    if (!row[x]) continue;
    const start = x;
    while (x < row.length && row[x]) x++;
    runs.push([start, x]);
  }
  return runs;
}

/**
 * Symbol coordinates (u right, v down from the symbol's top-left, mm) to machine coordinates
 * (X right, Y up), rotated about the symbol's centre.
 */
function placer(placement: Placement, side: number) {
  const angle = (placement.rotation * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = placement.x + side / 2;
  const cy = placement.y + side / 2;
  return (u: number, v: number) => {
    const dx = u - side / 2;
    const dy = side / 2 - v;
    return { x: cx + dx * cos - dy * sin, y: cy + dx * sin + dy * cos };
  };
}

/** The symbol, its quiet zone and the overscan, turned as placed, must lie on the work area. */
function checkFits(
  placement: Placement,
  machine: MachineProfile,
  module: number,
  side: number,
  overscan: number,
  map: (u: number, v: number) => { x: number; y: number },
) {
  const q = placement.quietZone * module;
  // Lines run along u and overrun by the overscan (laser off), which must stay on the work area too.
  const qu = Math.max(q, overscan);
  const corners = [map(-qu, -q), map(side + qu, -q), map(side + qu, side + q), map(-qu, side + q)];
  const outside = corners.find(
    (c) =>
      c.x < -1e-9 ||
      c.y < -1e-9 ||
      c.x > machine.workArea.x + 1e-9 ||
      c.y > machine.workArea.y + 1e-9,
  );
  if (outside)
    throw new ToolpathError(
      'placement',
      `The code with its ${placement.quietZone}-module quiet zone reaches (${num(outside.x)}, ${num(outside.y)}) mm, outside the ${machine.workArea.x} x ${machine.workArea.y} mm work area`,
    );
}
