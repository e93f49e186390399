/**
 * What a toolpath is made from: the machine (work area, GRBL limits) and the job's laser settings
 * and placement. Defaults are a 5 W diode on anodised aluminium; the seed's request gives power
 * 75 %, 1500 mm/min, 2 passes, 0.2 mm depth.
 */

export interface MachineProfile {
  /** Work area in mm (X, Y). */
  workArea: { x: number; y: number };
  /** GRBL $30: the S value of full power. */
  maxPower: number;
  /** Laser spot diameter in mm. */
  spotSize: number;
  /** GRBL $110/$111 (mm/min): the fastest rapid. */
  maxRate: number;
  /** GRBL $120/$121 (mm/s²). */
  acceleration: number;
  /** A Z axis that can step down between passes. */
  hasZ: boolean;
}

export interface LaserSettings {
  /** 0-100 % of the machine's full power ($30). */
  power: number;
  /** Burn feed, mm/min. */
  speed: number;
  passes: number;
  /** Z step down per pass in mm, on machines with Z (0: none). */
  depth: number;
  /** Distance between raster lines (or dots) in mm. */
  lineInterval: number;
  mode: 'raster' | 'dot';
  /** M4 (dynamic power, scaled with speed: even burns through acceleration) or M3 (constant). */
  dynamicPower: boolean;
  /** Run-up beyond each line's ends with the laser off, in mm, so burns happen at full speed. */
  overscan: number;
  /** Burn lines in both directions (faster) or all left to right (more even). */
  bidirectional: boolean;
  airAssist: boolean;
}

export interface Placement {
  /** Lower-left corner of the symbol (quiet zone excluded) on the work area, mm. */
  x: number;
  y: number;
  /** Requested module size in mm (snapped to whole line intervals). */
  moduleSize: number;
  /** Degrees, counter-clockwise about the symbol's centre. */
  rotation: number;
  /** Quiet zone kept clear around the symbol, in modules. */
  quietZone: number;
}

export const DEFAULT_MACHINE: MachineProfile = {
  workArea: { x: 400, y: 400 },
  maxPower: 1000,
  spotSize: 0.08,
  maxRate: 6000,
  acceleration: 500,
  hasZ: false,
};

export const DEFAULT_SETTINGS: LaserSettings = {
  power: 75,
  speed: 1500,
  passes: 2,
  depth: 0.2,
  lineInterval: 0.1,
  mode: 'raster',
  dynamicPower: true,
  overscan: 2,
  bidirectional: true,
  airAssist: true,
};

export const DEFAULT_PLACEMENT: Placement = {
  x: 10,
  y: 10,
  moduleSize: 0.5,
  rotation: 0,
  quietZone: 4,
};

/** A problem with the settings, naming the field (answered as 422). */
export class ToolpathError extends Error {
  override name = 'ToolpathError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function checkSettings(settings: LaserSettings, machine: MachineProfile): void {
  const within = (field: string, value: number, min: number, max: number) => {
    if (!Number.isFinite(value) || value < min || value > max)
      throw new ToolpathError(field, `${field} must be between ${min} and ${max}, not ${value}`);
  };
  within('power', settings.power, 0, 100);
  within('speed', settings.speed, 1, machine.maxRate);
  within('passes', settings.passes, 1, 50);
  if (!Number.isInteger(settings.passes))
    throw new ToolpathError('passes', `passes must be a whole number, not ${settings.passes}`);
  within('depth', settings.depth, 0, 5);
  within('lineInterval', settings.lineInterval, 0.01, 2);
  within('overscan', settings.overscan, 0, 20);
}
