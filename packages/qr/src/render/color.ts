/**
 * Colour values accepted by every renderer: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`,
 * `rgb(r, g, b)`, `rgba(r, g, b, a)`, `transparent`, `black`, `white`. Parsing (rather than
 * passing strings through) keeps markup injection out of SVG and gives PNG exact bytes.
 */
import { QrArgumentError } from '../errors.js';

export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  /** 0-255 */
  readonly a: number;
}

const NAMED: Readonly<Record<string, Rgba>> = {
  black: { r: 0, g: 0, b: 0, a: 255 },
  white: { r: 255, g: 255, b: 255, a: 255 },
  transparent: { r: 255, g: 255, b: 255, a: 0 },
};

export function parseColor(value: string, argument = 'color'): Rgba {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  const named = NAMED[text];
  if (named) return named;
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(text);
  if (hex) {
    let digits = hex[1];
    if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('');
    const n = (i: number) => parseInt(digits.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: digits.length === 8 ? n(6) : 255 };
  }
  const fn =
    /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*(\d*\.?\d+)\s*)?\)$/.exec(text);
  if (fn) {
    const [r, g, b] = [fn[1], fn[2], fn[3]].map(Number);
    const alpha = fn[4] === undefined ? 1 : Number(fn[4]);
    if (r <= 255 && g <= 255 && b <= 255 && alpha <= 1)
      return { r, g, b, a: Math.round(alpha * 255) };
  }
  throw new QrArgumentError(
    argument,
    value,
    'a colour: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), black, white or transparent',
  );
}

/** `#rrggbb` for SVG attributes; opacity is written separately. */
export function toHex({ r, g, b }: Rgba): string {
  return '#' + ((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1);
}

/** WCAG 2 contrast ratio between two opaque colours (1 to 21). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const luminance = ({ r, g, b: bl }: Rgba) => {
    const lin = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
