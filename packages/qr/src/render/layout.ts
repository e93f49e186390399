/** Options shared by the raster and vector renderers, validated once. */
import { QrArgumentError } from '../errors.js';

/** Clause 6.3.8: the quiet zone is four modules wide on every side. */
export const DEFAULT_MARGIN = 4;

export function checkMargin(margin: number | undefined): number {
  const value = margin ?? DEFAULT_MARGIN;
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new QrArgumentError('margin', margin, 'integer [0..100]');
  }
  return value;
}
