/** How a code looks: the styling shared by the generator and the batch page, and its API form. */
import type { FinderShape, ModuleShape } from '@qrforge/qr/style';

export type Ecc = 'L' | 'M' | 'Q' | 'H';

export interface CodeStyle {
  dark: string;
  light: string;
  moduleShape: ModuleShape;
  finderShape: FinderShape;
  margin: number;
  ecc: Ecc;
  /** false: no UTF-8 marker (ECI) even for non-ASCII text, for old readers; default automatic. */
  eci?: boolean;
  /** The logo as a data: URI (read in the browser, sent only to our API). */
  logo?: string;
}

/** The server takes logos up to about 512 KiB. */
export const MAX_LOGO_BYTES = 512 * 1024;
/** The logo's width as a share of the code's. */
export const LOGO_SIZE = 0.2;

export const DEFAULT_STYLE: CodeStyle = {
  dark: '#000000',
  light: '#ffffff',
  moduleShape: 'square',
  finderShape: 'square',
  margin: 4,
  ecc: 'M',
};

/** The style as the API's `StyleProperties` take it. */
export function toApiStyle(style: CodeStyle) {
  const { logo, ...basic } = style;
  return { ...basic, ...(logo ? { logo: { image: logo, size: LOGO_SIZE } } : {}) };
}
