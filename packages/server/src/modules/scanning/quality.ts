/**
 * A print-quality report for a decoded 2D code, from the photo it was read in: module size in
 * pixels, contrast between dark and light modules, whether the quiet zone is clear, and how much
 * of the error correction the read used. Grades follow the thresholds of ISO/IEC 15415 for symbol
 * contrast and unused error correction (A best, F fail). A photo is not a calibrated verifier, so
 * the grade is an indication for QA: a code graded C or worse reads today but is close to failing.
 *
 * Modules are sampled at their centres through the perspective map from the symbol's grid to the
 * four corners the decoder found; the decoder's own module matrix says which should be dark.
 */

/** One channel, 0 black to 255 white, row-major. */
export interface GreyImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Bytes per pixel; the first byte of each is the grey level (4 for RGBA). */
  stride: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The decoder's module matrix: one byte per module, 0 dark, 255 light. */
export interface ModuleMatrix {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

export interface QualityReport {
  /** Average side of one module in image pixels. */
  moduleSize: number;
  /** (mean light - mean dark) / 255 at module centres, 0 to 1. */
  contrast: number;
  contrastGrade: Grade;
  /** Dark modules sampled lighter than the light/dark midpoint, or light ones darker. */
  misreadModules: number;
  quietZone: { modules: number; clear: number; ok: boolean };
  /** Share of the error-correction capacity the read needed (1 - ZXing's UEC); null if unknown. */
  errorCorrectionUsed: number | null;
  errorCorrectionGrade: Grade | null;
  /** The worst of the grades, F when the quiet zone is not clear. */
  grade: Grade;
  warnings: string[];
}

/** Quiet zone the standards ask for, in modules. */
const QUIET_ZONE: Record<string, number> = { QRCode: 4, MicroQRCode: 2, DataMatrix: 1 };
/** Share of quiet-zone samples that must be light (a speck or two of dirt is tolerated). */
const QUIET_ZONE_CLEAR = 0.97;
/** Fewer pixels per module than this and a phone camera at a distance stops reading it. */
const SMALL_MODULE_PX = 3;

const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'F'];
/** ISO/IEC 15415 symbol contrast: A >= 70 %, B >= 55 %, C >= 40 %, D >= 20 %. */
const CONTRAST_STEPS = [0.7, 0.55, 0.4, 0.2];
/** ISO/IEC 15415 unused error correction: A >= 0.62, B >= 0.50, C >= 0.37, D >= 0.25. */
const UEC_STEPS = [0.62, 0.5, 0.37, 0.25];

function gradeOf(value: number, steps: number[]): Grade {
  const index = steps.findIndex((step) => value >= step);
  return GRADES[index === -1 ? 4 : index];
}

export function assessQuality(
  image: GreyImage,
  format: string,
  corners: Point[],
  symbol: ModuleMatrix,
  unusedErrorCorrection: number | null,
): QualityReport | null {
  const quietModules = QUIET_ZONE[format];
  if (quietModules === undefined || !symbol.width || !symbol.height || corners.length !== 4)
    return null;
  const toImage = squareToQuad(corners);
  const at = (u: number, v: number) => {
    const { x, y } = toImage(u / symbol.width, v / symbol.height);
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= image.width || py >= image.height) return undefined;
    return image.data[(py * image.width + px) * image.stride];
  };

  const dark: number[] = [];
  const light: number[] = [];
  for (let v = 0; v < symbol.height; v++)
    for (let u = 0; u < symbol.width; u++) {
      const level = at(u + 0.5, v + 0.5);
      if (level === undefined) continue;
      (symbol.data[v * symbol.width + u] < 128 ? dark : light).push(level);
    }
  if (!dark.length || !light.length) return null;
  const meanDark = mean(dark);
  const meanLight = mean(light);
  const contrast = round((meanLight - meanDark) / 255);
  const middle = (meanDark + meanLight) / 2;
  const misreadModules =
    dark.filter((level) => level >= middle).length + light.filter((level) => level < middle).length;

  // Quiet zone: module-centre samples in the band around the symbol; off the photo counts as not clear.
  let samples = 0;
  let clear = 0;
  for (let v = -quietModules; v < symbol.height + quietModules; v++)
    for (let u = -quietModules; u < symbol.width + quietModules; u++) {
      if (u >= 0 && v >= 0 && u < symbol.width && v < symbol.height) continue;
      samples++;
      const level = at(u + 0.5, v + 0.5);
      if (level !== undefined && level >= middle) clear++;
    }
  const clearShare = round(clear / samples);

  const sides = [0, 1, 2, 3].map((i) => distance(corners[i], corners[(i + 1) % 4]));
  const moduleSize = round(
    (sides[0] + sides[2]) / 2 / symbol.width / 2 + (sides[1] + sides[3]) / 2 / symbol.height / 2,
  );

  const errorCorrectionUsed =
    unusedErrorCorrection === null ? null : round(1 - unusedErrorCorrection);
  const contrastGrade = gradeOf(contrast, CONTRAST_STEPS);
  const errorCorrectionGrade =
    unusedErrorCorrection === null ? null : gradeOf(unusedErrorCorrection, UEC_STEPS);
  const quietZoneOk = clearShare >= QUIET_ZONE_CLEAR;
  const grade = worst([contrastGrade, errorCorrectionGrade ?? 'A', quietZoneOk ? 'A' : 'F']);

  const warnings: string[] = [];
  if (moduleSize < SMALL_MODULE_PX)
    warnings.push(
      `modules are ${moduleSize} px; below ${SMALL_MODULE_PX} px reads become unreliable`,
    );
  if (contrastGrade > 'B')
    warnings.push(`contrast ${Math.round(contrast * 100)} % (grade ${contrastGrade})`);
  if (!quietZoneOk)
    warnings.push(
      `quiet zone of ${quietModules} modules is ${Math.round(clearShare * 100)} % clear`,
    );
  if (errorCorrectionGrade && errorCorrectionGrade > 'B')
    warnings.push(
      `the read used ${Math.round((errorCorrectionUsed ?? 0) * 100)} % of the error correction (grade ${errorCorrectionGrade})`,
    );
  return {
    moduleSize,
    contrast,
    contrastGrade,
    misreadModules,
    quietZone: { modules: quietModules, clear: clearShare, ok: quietZoneOk },
    errorCorrectionUsed,
    errorCorrectionGrade,
    grade,
    warnings,
  };
}

/** ZXing's `extra` JSON carries UEC, the unused error-correction margin from 0 to 1. */
export function unusedErrorCorrection(extra: string): number | null {
  try {
    const value = (JSON.parse(extra) as { UEC?: unknown }).UEC;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The projective map from the unit square to a quadrilateral (top-left, top-right, bottom-right,
 * bottom-left), after Heckbert, "Fundamentals of Texture Mapping" (1989), section 2.2.3.
 */
export function squareToQuad([p0, p1, p2, p3]: Point[]): (u: number, v: number) => Point {
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  const det = dx1 * dy2 - dx2 * dy1;
  const g = det === 0 ? 0 : (sx * dy2 - dx2 * sy) / det;
  const h = det === 0 ? 0 : (dx1 * sy - sx * dy1) / det;
  const a = p1.x - p0.x + g * p1.x;
  const b = p3.x - p0.x + h * p3.x;
  const d = p1.y - p0.y + g * p1.y;
  const e = p3.y - p0.y + h * p3.y;
  return (u, v) => {
    const w = g * u + h * v + 1;
    return { x: (a * u + b * v + p0.x) / w, y: (d * u + e * v + p0.y) / w };
  };
}

function worst(grades: Grade[]): Grade {
  return grades.reduce((a, b) => (a > b ? a : b));
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
