/**
 * G-code from the QR matrix: only words GRBL 1.1 accepts, the power mapped into $30, a safe start
 * and end, module size snapped to whole lines, Z steps only on machines with Z, placement kept on
 * the work area; and verification: the burns our interpreter reads back decode to the UID (raster,
 * turned, dots), and a damaged toolpath is refused.
 */
import { encodeText, toMatrix } from '@qrforge/qr';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateSeconds } from '../src/modules/engraving/gcode/estimate.js';
import { generateGcode } from '../src/modules/engraving/gcode/generate.js';
import { GcodeError, interpret } from '../src/modules/engraving/gcode/interpret.js';
import { previewSvg } from '../src/modules/engraving/gcode/preview.js';
import {
  DEFAULT_MACHINE,
  DEFAULT_PLACEMENT,
  DEFAULT_SETTINGS,
  ToolpathError,
} from '../src/modules/engraving/gcode/settings.js';
import { verifyToolpath } from '../src/modules/engraving/gcode/verify.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';

const UID = 'PAD-V0100-L2025-09-00001';
const matrix = toMatrix(encodeText(UID, { ecc: 'M' }));
/** The seed's request: power 75, speed 1500, passes 2, depth 0.2. */
const seed = { ...DEFAULT_SETTINGS, power: 75, speed: 1500, passes: 2, depth: 0.2 };

afterAll(closeDecodePool);

describe('G-code generation', () => {
  it('uses only GRBL 1.1 words, maps power into $30, and starts and ends with the laser off', () => {
    const { gcode } = generateGcode(matrix, seed, DEFAULT_PLACEMENT, DEFAULT_MACHINE, UID);
    const lines = gcode.trim().split('\n');
    const commands = lines.filter((line) => !line.startsWith(';'));
    expect(commands.slice(0, 4)).toEqual(['G21 G90', 'M5 S0', 'M8', 'M4 S0']);
    expect(commands.slice(-3)).toEqual(['M5 S0', 'M9', 'M2']);
    const read = interpret(gcode);
    expect([...read.words].sort()).toEqual(
      ['F', 'G0', 'G1', 'G21', 'G90', 'M2', 'M4', 'M5', 'M8', 'M9', 'S', 'X', 'Y'].sort(),
    );
    expect(read.laserOnAtEnd).toBe(false);
    // 75 % of $30=1000 is S750; every burn is S750, every other move S0.
    expect(new Set(read.moves.map((m) => m.power))).toEqual(new Set([0, 750]));
    // No burn on a rapid, and the first G1 carries the feed.
    expect(read.moves.filter((m) => m.kind === 'rapid' && m.power > 0)).toEqual([]);
    expect(commands.find((l) => l.startsWith('G1'))).toMatch(/ F1500$/);
    // GRBL's line buffer is 80 characters (with the newline).
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(80);

    const small = { ...DEFAULT_MACHINE, maxPower: 255 };
    const at = (power: number) =>
      new Set(
        interpret(generateGcode(matrix, { ...seed, power }, DEFAULT_PLACEMENT, small).gcode)
          .moves.map((m) => m.power)
          .filter((p) => p > 0),
      );
    expect(at(75)).toEqual(new Set([191]));
    expect(at(100)).toEqual(new Set([255]));
    expect(at(0)).toEqual(new Set());
    const m3 = generateGcode(
      matrix,
      { ...seed, dynamicPower: false, airAssist: false },
      DEFAULT_PLACEMENT,
      DEFAULT_MACHINE,
    );
    expect(m3.gcode).toContain('\nM3 S0\n');
    expect(m3.gcode).not.toMatch(/M4|M8|M9/);
  });

  it('snaps the module to whole line intervals and steps Z only where there is one', () => {
    const snapped = generateGcode(
      matrix,
      seed,
      { ...DEFAULT_PLACEMENT, moduleSize: 0.52 },
      DEFAULT_MACHINE,
    );
    expect(snapped.moduleSize).toBeCloseTo(0.5, 9);
    expect(snapped.side).toBeCloseTo(25 * 0.5, 9);
    // Five lines per module row that has a dark module; every row of a QR code has one.
    expect(snapped.strokes).toBe(25 * 5);
    expect(snapped.gcode).not.toMatch(/Z/);
    const withZ = generateGcode(matrix, { ...seed, passes: 3 }, DEFAULT_PLACEMENT, {
      ...DEFAULT_MACHINE,
      hasZ: true,
    });
    expect(withZ.gcode.match(/^G0 Z.*$/gm)).toEqual(['G0 Z-0.2', 'G0 Z-0.4', 'G0 Z0']);
  });

  it('refuses a placement whose quiet zone or overscan leaves the work area, naming it', () => {
    expect(() =>
      generateGcode(matrix, seed, { ...DEFAULT_PLACEMENT, x: 1 }, DEFAULT_MACHINE),
    ).toThrow(ToolpathError);
    expect(() =>
      generateGcode(matrix, seed, { ...DEFAULT_PLACEMENT, x: 390 }, DEFAULT_MACHINE),
    ).toThrow(/outside the 400 x 400 mm work area/);
    expect(() =>
      generateGcode(matrix, { ...seed, power: 120 }, DEFAULT_PLACEMENT, DEFAULT_MACHINE),
    ).toThrow('power must be between 0 and 100, not 120');
  });

  it('reads back only what we send', () => {
    expect(() => interpret('G21 G90\nG2 X1 Y1 I1 J0')).toThrow(GcodeError);
    expect(() => interpret('T1')).toThrow('line 1: the word T is not one we send');
    expect(() => interpret('G1 X1 Y1')).toThrow('line 1: G1 without a feed (F)');
  });

  it('estimates time with acceleration', () => {
    // 100 mm at 1500 mm/min (25 mm/s), 500 mm/s²: 100/25 + 25/500 = 4.05 s.
    const { moves } = interpret('G21 G90\nG1 X100 Y0 F1500 S0');
    expect(estimateSeconds(moves, DEFAULT_MACHINE)).toBeCloseTo(4.05, 6);
    // Too short to reach the feed: 2 * sqrt(1 / 500).
    const short = interpret('G21 G90\nG1 X1 Y0 F1500 S0');
    expect(estimateSeconds(short.moves, DEFAULT_MACHINE)).toBeCloseTo(2 * Math.sqrt(1 / 500), 6);
    const job = generateGcode(matrix, seed, DEFAULT_PLACEMENT, DEFAULT_MACHINE);
    const seconds = estimateSeconds(interpret(job.gcode).moves, DEFAULT_MACHINE);
    console.info(
      `seed settings, 25x25 code at 0.5 mm: ${seconds.toFixed(1)} s estimated (2 passes)`,
    );
    expect(seconds).toBeGreaterThan(20);
  });
});

describe('verification by decoding the burns', () => {
  it.each([
    ['raster', {}, {}],
    ['raster, turned 30 degrees', {}, { rotation: 30 }],
    ['one direction only', { bidirectional: false }, {}],
    ['dots (fibre)', { mode: 'dot' as const, lineInterval: 0.05 }, {}],
    ['small modules (0.3 mm)', { lineInterval: 0.1 }, { moduleSize: 0.3 }],
  ])('%s decodes to the UID', async (_, settings, placement) => {
    const job = generateGcode(
      matrix,
      { ...seed, ...settings },
      { ...DEFAULT_PLACEMENT, ...placement },
      DEFAULT_MACHINE,
    );
    const result = await verifyToolpath(interpret(job.gcode).moves, UID, {
      spot: DEFAULT_MACHINE.spotSize,
      moduleSize: job.moduleSize,
      quietZone: 4,
    });
    expect(result.decoded).toEqual([UID]);
    expect(result.ok).toBe(true);
  });

  it('refuses a toolpath that does not decode to the UID', async () => {
    const job = generateGcode(matrix, seed, DEFAULT_PLACEMENT, DEFAULT_MACHINE);
    // The burns of the top third of the code lost (a truncated file, a bad edit).
    const top = DEFAULT_PLACEMENT.y + job.side * (2 / 3);
    const damaged = job.gcode
      .split('\n')
      .filter((line) => !(/ S750/.test(line) && Number(/Y([\d.]+)/.exec(line)?.[1]) > top))
      .join('\n');
    const options = { spot: DEFAULT_MACHINE.spotSize, moduleSize: job.moduleSize, quietZone: 4 };
    const broken = await verifyToolpath(interpret(damaged).moves, UID, options);
    expect(broken).toMatchObject({ ok: false, decoded: [] });
    // A good toolpath, but for another item.
    const other = await verifyToolpath(
      interpret(job.gcode).moves,
      'PAD-V0100-L2025-09-00002',
      options,
    );
    expect(other).toMatchObject({ ok: false, decoded: [UID] });
    // Lines much wider apart than the spot: stripes, not modules.
    const striped = generateGcode(matrix, { ...seed, lineInterval: 0.25 }, DEFAULT_PLACEMENT, {
      ...DEFAULT_MACHINE,
      spotSize: 0.02,
    });
    const thin = await verifyToolpath(interpret(striped.gcode).moves, UID, {
      ...options,
      spot: 0.02,
    });
    expect(thin.ok).toBe(false);
  });

  it('draws a preview of the toolpath', () => {
    const job = generateGcode(matrix, seed, DEFAULT_PLACEMENT, DEFAULT_MACHINE);
    const svg = previewSvg(interpret(job.gcode).moves, 0.1);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="[-\d. ]+"/);
    expect(svg).toContain('stroke="#1c1c1c"');
  });
});
