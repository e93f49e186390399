/**
 * Styled SVG: module shapes (square, dot, rounded), finder-pattern shapes and colour, and a centre
 * logo. A logo hides modules, so it needs level H and an area whose hidden codewords stay well
 * inside what each error-correction block can correct; larger logos are refused, not drawn.
 * Platform-neutral.
 */
import { codewordMap } from '../encode/codeword-map.js';
import { encodeText, type EncodeOptions, type QrCode } from '../encode/encode.js';
import { QrArgumentError } from '../errors.js';
import { parseColor, toHex, type Rgba } from '../render/color.js';
import { checkMargin } from '../render/layout.js';
import { escapeXml, modulePath, type SvgOptions } from '../render/svg.js';

export type ModuleShape = 'square' | 'dot' | 'rounded';
export type FinderShape = 'square' | 'rounded' | 'dot';

export interface LogoOptions {
  /** The image as a data: URI (PNG, JPEG, WebP, GIF or SVG); never fetched from elsewhere. */
  href: string;
  /** Logo width as a fraction of the symbol width (quiet zone excluded); default 0.2. */
  size?: number;
  /** Light modules of clear space around the logo; default 1. */
  padding?: number;
}

export interface StyleOptions extends SvgOptions {
  moduleShape?: ModuleShape;
  finderShape?: FinderShape;
  /** Colour of the three finder patterns; default the dark colour. */
  finderColor?: string;
  logo?: LogoOptions;
}

/**
 * Share of each block's correctable errors a logo may use. The rest stays for real-world damage
 * (print defects, glare, curvature), so a code with a logo still reads in poor conditions.
 */
export const LOGO_ERROR_BUDGET = 0.6;

const DATA_URI = /^data:image\/(png|jpeg|webp|gif|svg\+xml);base64,[A-Za-z0-9+/]+=*$/;

/**
 * Encodes text for styling: with a logo, level H and the smallest version (from the one the data
 * needs) whose blocks can afford the requested logo size.
 */
export function createStyledSvg(text: string, style: StyleOptions & EncodeOptions = {}): string {
  if (!style.logo) return renderStyledSvg(encodeText(text, style), style);
  const wanted = style.logo.size ?? 0.2;
  const maxVersion = style.maxVersion ?? 40;
  let qr = encodeText(text, { ...style, ecc: 'H' });
  while (largestLogo(qr, style.logo.padding ?? 1) < wanted && qr.version < maxVersion) {
    qr = encodeText(text, { ...style, ecc: 'H', minVersion: qr.version + 1 });
  }
  return renderStyledSvg(qr, style);
}

export function renderStyledSvg(qr: QrCode, style: StyleOptions = {}): string {
  const margin = checkMargin(style.margin);
  const dark = parseColor(style.dark ?? '#000', 'dark');
  const light = parseColor(style.light ?? '#fff', 'light');
  const finder = style.finderColor ? parseColor(style.finderColor, 'finderColor') : dark;
  const moduleShape = oneOf('moduleShape', style.moduleShape ?? 'square', [
    'square',
    'dot',
    'rounded',
  ]);
  const finderShape = oneOf('finderShape', style.finderShape ?? 'square', [
    'square',
    'rounded',
    'dot',
  ]);
  const side = qr.size + 2 * margin;
  if (
    style.size !== undefined &&
    (!Number.isInteger(style.size) || style.size < 1 || style.size > 100_000)
  ) {
    throw new QrArgumentError('size', style.size, 'integer [1..100000] pixels');
  }
  const logo = style.logo ? logoArea(qr, style.logo) : undefined;

  // Modules drawn as data: everything except the finder patterns and the logo area.
  const hidden = (x: number, y: number) =>
    inFinder(qr.size, x, y) ||
    (logo !== undefined && x >= logo.x0 && x < logo.x1 && y >= logo.y0 && y < logo.y1);
  const visible: QrCode = {
    ...qr,
    modules: qr.modules.map((v, i) => (v && !hidden(i % qr.size, Math.floor(i / qr.size)) ? 1 : 0)),
  };

  const dims = style.size === undefined ? '' : ` width="${style.size}" height="${style.size}"`;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ${side} ${side}"${dims}>`;
  if (style.title) svg += `<title>${escapeXml(style.title)}</title>`;
  if (light.a > 0) svg += `<rect width="100%" height="100%"${fill(light)}/>`;
  const data =
    moduleShape === 'square'
      ? modulePath(visible, margin)
      : shapedModules(visible, margin, moduleShape);
  svg += `<path${fill(dark)}${moduleShape === 'square' ? ' shape-rendering="crispEdges"' : ''} d="${data}"/>`;
  svg += `<path${fill(finder)} fill-rule="evenodd" d="${finderPaths(qr.size, margin, finderShape)}"/>`;
  if (logo) {
    const { image } = logo;
    svg +=
      `<image x="${image.x + margin}" y="${image.y + margin}" width="${image.w}" height="${image.w}"` +
      ` preserveAspectRatio="xMidYMid meet" href="${style.logo!.href}"/>`;
  }
  return svg + '</svg>';
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new QrArgumentError(name, value, `one of ${allowed.join(', ')}`);
  return value;
}

function fill(color: Rgba): string {
  return (
    ` fill="${toHex(color)}"` +
    (color.a < 255 ? ` fill-opacity="${(color.a / 255).toFixed(3)}"` : '')
  );
}

/** The 7x7 finder patterns with their separators (8x8 corners). */
function inFinder(size: number, x: number, y: number): boolean {
  return (x < 8 && y < 8) || (x >= size - 8 && y < 8) || (x < 8 && y >= size - 8);
}

/** Dots or rounded squares, one subpath each, all in one path. */
function shapedModules(qr: QrCode, margin: number, shape: 'dot' | 'rounded'): string {
  const parts: string[] = [];
  const { size, modules } = qr;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!modules[y * size + x]) continue;
      const px = x + margin;
      const py = y + margin;
      if (shape === 'dot') {
        // Radius 0.45: the centre, where readers sample, stays dark; neighbours stay apart.
        parts.push(`M${px + 0.05} ${py + 0.5}a.45 .45 0 1 0 .9 0a.45 .45 0 1 0-.9 0z`);
      } else {
        parts.push(
          `M${px + 0.3} ${py}h.4a.3 .3 0 0 1 .3 .3v.4a.3 .3 0 0 1-.3 .3h-.4a.3 .3 0 0 1-.3-.3v-.4a.3 .3 0 0 1 .3-.3z`,
        );
      }
    }
  }
  return parts.join('');
}

/** Outer 7x7 ring and 3x3 core of each finder, as evenodd subpaths. */
function finderPaths(size: number, margin: number, shape: FinderShape): string {
  const parts: string[] = [];
  for (const [fx, fy] of [
    [0, 0],
    [size - 7, 0],
    [0, size - 7],
  ]) {
    const x = fx + margin;
    const y = fy + margin;
    if (shape === 'dot') {
      parts.push(
        circle(x + 3.5, y + 3.5, 3.5),
        circle(x + 3.5, y + 3.5, 2.5),
        circle(x + 3.5, y + 3.5, 1.5),
      );
    } else {
      const r = shape === 'rounded' ? 1 : 0;
      parts.push(
        roundedRect(x, y, 7, r * 1.5),
        roundedRect(x + 1, y + 1, 5, r),
        roundedRect(x + 2, y + 2, 3, r * 0.75),
      );
    }
  }
  return parts.join('');
}

function circle(cx: number, cy: number, r: number): string {
  return `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0z`;
}

function roundedRect(x: number, y: number, w: number, r: number): string {
  if (r === 0) return `M${x} ${y}h${w}v${w}h${-w}z`;
  const s = w - 2 * r;
  return `M${x + r} ${y}h${s}a${r} ${r} 0 0 1 ${r} ${r}v${s}a${r} ${r} 0 0 1 ${-r} ${r}h${-s}a${r} ${r} 0 0 1 ${-r} ${-r}v${-s}a${r} ${r} 0 0 1 ${r} ${-r}z`;
}

interface LogoArea {
  /** Cleared modules: [x0, x1) x [y0, y1). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  image: { x: number; y: number; w: number };
}

/** The centred area a logo clears, refused when it hides too much of any block. */
function logoArea(qr: QrCode, logo: LogoOptions): LogoArea {
  if (typeof logo.href !== 'string' || logo.href.length > 2_000_000 || !DATA_URI.test(logo.href)) {
    throw new QrArgumentError(
      'logo.href',
      logo.href,
      'a base64 data: URI of a PNG, JPEG, WebP, GIF or SVG image (at most 2 MB)',
    );
  }
  if (qr.ecc !== 'H')
    throw new QrArgumentError(
      'ecc',
      qr.ecc,
      "'H' when a logo is drawn (createStyledSvg does this)",
    );
  const fraction = logo.size ?? 0.2;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 0.4)) {
    throw new QrArgumentError('logo.size', logo.size, 'a fraction of the symbol width (0..0.4]');
  }
  const padding = logo.padding ?? 1;
  if (!Number.isInteger(padding) || padding < 0 || padding > 4)
    throw new QrArgumentError('logo.padding', logo.padding, 'integer [0..4]');
  const area = centredArea(qr.size, fraction, padding);
  const largest = largestLogo(qr, padding);
  if (!area || !logoFits(qr, area)) {
    throw new QrArgumentError(
      'logo.size',
      fraction,
      largest > 0
        ? `at most ${largest.toFixed(2)} of the width for version ${qr.version}-H with padding ${padding}`
        : `a larger symbol: version ${qr.version}-H cannot hold a logo with padding ${padding}`,
    );
  }
  return area;
}

function centredArea(size: number, fraction: number, padding: number): LogoArea | undefined {
  // Image width in whole modules, same parity as the symbol so it sits exactly in the centre.
  let w = Math.max(1, Math.round(size * fraction));
  if ((size - w) % 2) w++;
  const cleared = w + 2 * padding;
  const x0 = (size - cleared) / 2;
  // Must stay clear of the finder patterns, separators and format information (the 9x9 corners).
  if (x0 < 9) return undefined;
  return {
    x0,
    y0: x0,
    x1: x0 + cleared,
    y1: x0 + cleared,
    image: { x: x0 + padding, y: x0 + padding, w },
  };
}

/** True when the codewords the area hides stay within the budget of every block. */
function logoFits(qr: QrCode, area: LogoArea): boolean {
  const map = codewordMap(qr.version, qr.ecc);
  const hit = new Set<number>();
  for (let y = area.y0; y < area.y1; y++) {
    for (let x = area.x0; x < area.x1; x++) {
      const cw = map.codewordOf[y * qr.size + x];
      // A hidden module reads as light; it only damages its codeword when it should be dark, but
      // which ones are dark depends on the data, so every codeword touched counts.
      if (cw >= 0) hit.add(cw);
    }
  }
  const perBlock = new Uint16Array(map.blocks);
  for (const cw of hit) perBlock[map.blockOf[cw]]++;
  const budget = Math.floor(map.correctablePerBlock * LOGO_ERROR_BUDGET);
  return perBlock.every((n) => n <= budget);
}

/** Largest logo fraction (in steps of 0.01) that fits, or 0. */
export function largestLogo(qr: QrCode, padding = 1): number {
  for (let f = 0.4; f > 0; f = Math.round((f - 0.01) * 100) / 100) {
    const area = centredArea(qr.size, f, padding);
    if (area && logoFits(qr, area)) return f;
  }
  return 0;
}
