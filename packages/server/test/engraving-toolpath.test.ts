/**
 * An independent check of the engraving programs: the G-code is read by a third-party interpreter
 * (cncjs's gcode-toolpath, the one the CNCjs controller draws previews with), its burning moves —
 * G1 with the laser on (M3 or M4) and S > 0 — are rasterised with the laser's spot size, and the
 * picture is decoded by ZXing to the item's data. The project's own interpreter is not used.
 * Every program is also held to GRBL's limits: lines of at most 79 characters after GRBL's own
 * filtering (protocol.c, protocol_main_loop, drops spaces and comments and flags an overflow at
 * LINE_BUFFER_SIZE - 1 characters; LINE_BUFFER_SIZE is 80 in protocol.h) and only the
 * words GRBL 1.1 knows.
 */
import { encodeText, toMatrix } from '@qrforge/qr';
import Toolpath from 'gcode-toolpath';
import { describe, expect, it } from 'vitest';
import { generateGcode } from '../src/modules/engraving/gcode/generate.js';
import {
  DEFAULT_MACHINE,
  DEFAULT_PLACEMENT,
  DEFAULT_SETTINGS,
  type LaserSettings,
  type Placement,
} from '../src/modules/engraving/gcode/settings.js';
import { decodeQr, rgbaImage } from '../../qr/test/helpers/zxing.js';

interface Burn {
  from: { x: number; y: number };
  to: { x: number; y: number };
}

/** The burning moves, as the third-party interpreter reads the program. */
function burnsOf(gcode: string): Burn[] {
  const burns: Burn[] = [];
  let pending: (Burn & { motion: string; spindle: string })[] = [];
  let power = 0;
  const toolpath = new Toolpath({
    addLine: (modal: { motion: string; spindle: string }, v1: Burn['from'], v2: Burn['to']) =>
      pending.push({
        motion: modal.motion,
        spindle: modal.spindle,
        from: { ...v1 },
        to: { ...v2 },
      }),
  });
  // The line callback comes after the line's moves; an S word applies to its own line (GRBL
  // executes a block's words together), so the moves wait for it.
  toolpath.loadFromStringSync(gcode, (data: { words: [string, number][] }) => {
    for (const [letter, value] of data.words) if (letter === 'S') power = value;
    for (const move of pending)
      if (move.motion === 'G1' && (move.spindle === 'M3' || move.spindle === 'M4') && power > 0)
        burns.push(move);
    pending = [];
  });
  return burns;
}

/**
 * The burns drawn one pixel per raster line, each as wide as the spot or the line interval,
 * whichever is wider: a burnt line spreads to meet the next (what the interval is chosen for),
 * and a picture of a real part shows solid modules. The picture's edges are on whole millimetres,
 * so the lines fall on pixel centres. y up on the machine is up in the picture.
 */
function rasterise(burns: Burn[], spot: number, interval: number) {
  const pxPerMm = 1 / interval;
  const xs = burns.flatMap((b) => [b.from.x, b.to.x]);
  const ys = burns.flatMap((b) => [b.from.y, b.to.y]);
  const margin = 4;
  const [minX, maxX, minY, maxY] = [
    Math.floor(Math.min(...xs)) - margin,
    Math.ceil(Math.max(...xs)) + margin,
    Math.floor(Math.min(...ys)) - margin,
    Math.ceil(Math.max(...ys)) + margin,
  ];
  const width = Math.ceil((maxX - minX) * pxPerMm);
  const height = Math.ceil((maxY - minY) * pxPerMm);
  const dark = new Uint8Array(width * height);
  const radius = (Math.max(spot, interval) / 2) * pxPerMm;
  for (const { from, to } of burns) {
    const [ax, ay] = [(from.x - minX) * pxPerMm, (maxY - from.y) * pxPerMm];
    const [bx, by] = [(to.x - minX) * pxPerMm, (maxY - to.y) * pxPerMm];
    const [dx, dy] = [bx - ax, by - ay];
    const length2 = dx * dx + dy * dy || 1;
    for (let py = Math.floor(Math.min(ay, by) - radius); py <= Math.max(ay, by) + radius; py++)
      for (let px = Math.floor(Math.min(ax, bx) - radius); px <= Math.max(ax, bx) + radius; px++) {
        if (px < 0 || py < 0 || px >= width || py >= height) continue;
        // Distance from the pixel's centre to the segment.
        const [cx, cy] = [px + 0.5, py + 0.5];
        const t = Math.max(0, Math.min(1, ((cx - ax) * dx + (cy - ay) * dy) / length2));
        if (Math.hypot(cx - (ax + t * dx), cy - (ay + t * dy)) <= radius + 1e-6)
          dark[py * width + px] = 1;
      }
  }
  return rgbaImage(width, height, (x, y) => dark[y * width + x] === 1);
}

/** GRBL's view of a line: spaces and comments dropped, letters upper-cased. */
const grblLine = (line: string) =>
  line
    .replace(/\(.*?\)/g, '')
    .replace(/;.*$/, '')
    .replace(/\s/g, '')
    .toUpperCase();

const CASES: {
  name: string;
  data: string;
  settings?: Partial<LaserSettings>;
  placement?: Partial<Placement>;
}[] = [
  { name: 'seed settings (M4, 2 passes)', data: 'PAD-V0100-L2025-09-00001' },
  {
    name: 'M3 constant power',
    data: 'PAD-V0100-L2025-09-00002',
    settings: { dynamicPower: false },
  },
  {
    name: 'one pass, left to right only',
    data: 'PAD-V0100-L2025-09-00003',
    settings: { passes: 1, bidirectional: false },
  },
  { name: 'five passes', data: 'BRK-V7-L9-00042', settings: { passes: 5 } },
  { name: 'dot mode', data: 'DOT-V1-L1-00001', settings: { mode: 'dot', lineInterval: 0.1 } },
  {
    name: 'coarse lines (0.25 mm)',
    data: 'CRS-V1-L1-00001',
    settings: { lineInterval: 0.25 },
    placement: { moduleSize: 0.75 },
  },
  { name: 'fine lines (0.05 mm)', data: 'FIN-V1-L1-00001', settings: { lineInterval: 0.05 } },
  { name: 'rotated 90°', data: 'ROT-V1-L1-00001', placement: { rotation: 90 } },
  { name: 'version 5 URL', data: 'https://parts.example.com/i/PAD-V0100-L2025-09-00001?s=abcdef' },
  { name: 'version 10 text', data: 'QR Forge '.repeat(20).trim() },
];

describe('G-code read back by a third-party interpreter decodes to the item', () => {
  it.each(CASES)('$name', async ({ data, settings, placement }) => {
    const matrix = toMatrix(encodeText(data, { ecc: 'M' }));
    const program = generateGcode(
      matrix,
      { ...DEFAULT_SETTINGS, ...settings },
      { ...DEFAULT_PLACEMENT, ...placement },
      DEFAULT_MACHINE,
      data.slice(0, 30),
    ).gcode;
    const burns = burnsOf(program);
    expect(burns.length).toBeGreaterThan(0);
    const interval = settings?.lineInterval ?? DEFAULT_SETTINGS.lineInterval;
    const [result] = await decodeQr(rasterise(burns, DEFAULT_MACHINE.spotSize, interval));
    expect(result?.text).toBe(data);

    // GRBL's limits on every line: 79 characters after its filtering, and only its words.
    for (const raw of program.split('\n')) {
      const line = grblLine(raw);
      expect(line.length, raw).toBeLessThanOrEqual(79);
      expect(line, raw).toMatch(/^([GMXYZFS][-+]?(\d+\.?\d*|\.\d+))*$/);
    }
  });

  it('a burn the program leaves out is missed by the check (the check can fail)', async () => {
    const data = 'PAD-V0100-L2025-09-00009';
    const program = generateGcode(
      toMatrix(encodeText(data)),
      { ...DEFAULT_SETTINGS, passes: 1 },
      DEFAULT_PLACEMENT,
      DEFAULT_MACHINE,
    ).gcode;
    // The laser off for the upper half of the symbol: the picture no longer decodes.
    const lines = program.split('\n');
    const half = Math.floor(lines.length / 2);
    const broken = lines.map((l, i) => (i < half ? l.replace(/S\d+/, 'S0') : l)).join('\n');
    const picture = rasterise(burnsOf(broken), DEFAULT_MACHINE.spotSize, 0.1);
    expect(await decodeQr(picture)).toEqual([]);
  });
});
