/**
 * SVG output: one `<path>` whose subpaths are the horizontal runs of dark modules, so a version 40
 * symbol is a few kilobytes and renders without hairline seams (`shape-rendering="crispEdges"`).
 * Platform-neutral: runs in browsers.
 */
import type { QrCode } from '../encode/encode.js';
import { QrArgumentError } from '../errors.js';
import { parseColor, toHex, type Rgba } from './color.js';
import { checkMargin } from './layout.js';

export interface SvgOptions {
  /** Quiet zone in modules; default 4. */
  margin?: number;
  /** Dark module colour; default black. */
  dark?: string;
  /** Background colour; default white. `transparent` (or alpha 0) draws no background. */
  light?: string;
  /** Width and height attributes in pixels; without it the SVG scales to its container. */
  size?: number;
  /** Accessible name, written as `<title>`. */
  title?: string;
}

export function renderSvg(qr: QrCode, options: SvgOptions = {}): string {
  const margin = checkMargin(options.margin);
  const dark = parseColor(options.dark ?? '#000', 'dark');
  const light = parseColor(options.light ?? '#fff', 'light');
  const side = qr.size + 2 * margin;
  if (
    options.size !== undefined &&
    (!Number.isInteger(options.size) || options.size < 1 || options.size > 100_000)
  ) {
    throw new QrArgumentError('size', options.size, 'integer [1..100000] pixels');
  }
  const dims =
    options.size === undefined ? '' : ` width="${options.size}" height="${options.size}"`;
  let svg =
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ${side} ${side}"${dims}` +
    ` shape-rendering="crispEdges">`;
  if (options.title) svg += `<title>${escapeXml(options.title)}</title>`;
  if (light.a > 0) svg += `<rect width="100%" height="100%"${fill(light)}/>`;
  svg += `<path${fill(dark)} d="${modulePath(qr, margin)}"/></svg>`;
  return svg;
}

/** Path data: each run of dark modules in a row as one rectangle `M x y h w v1 h -w z`. */
export function modulePath(qr: QrCode, margin: number): string {
  const { size, modules } = qr;
  const parts: string[] = [];
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size;) {
      if (!modules[row + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules[row + x]) x++;
      const w = x - start;
      parts.push(`M${start + margin} ${y + margin}h${w}v1h-${w}z`);
    }
  }
  return parts.join('');
}

function fill(color: Rgba): string {
  return (
    ` fill="${toHex(color)}"` +
    (color.a < 255 ? ` fill-opacity="${(color.a / 255).toFixed(3)}"` : '')
  );
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => XML_ENTITIES[c]);
}
