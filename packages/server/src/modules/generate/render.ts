/**
 * One code, any format: the QR engine encodes, then PNG (our 1-bit writer, or resvg for styled
 * codes), SVG (plain or styled), PDF (vectors) or text. Pure and synchronous except PDF, so batch
 * worker threads call it as well.
 */
import { encodeText, QrArgumentError, type QrCode } from '@qrforge/qr';
import { renderPng } from '@qrforge/qr/png';
import { largestLogo, renderStyledSvg } from '@qrforge/qr/style';
import { renderSvg } from '@qrforge/qr/svg';
import { renderText } from '@qrforge/qr/text';
import { renderPdf, type PageSize } from './pdf.js';
import type { CodeFormat, CodeStyle } from './schemas.js';

export interface PdfLayout {
  page?: PageSize;
  sizeMm?: number;
  label?: string;
}

export interface Rendered {
  bytes: Uint8Array;
  contentType: string;
  extension: string;
  /** QR version and level actually used (a logo raises both). */
  version: number;
  ecc: string;
}

export const CONTENT_TYPES: Record<CodeFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
};

const DEFAULT_PNG_SIZE = 512;

function isStyled(style: CodeStyle): boolean {
  return (
    (style.moduleShape ?? 'square') !== 'square' ||
    (style.finderShape ?? 'square') !== 'square' ||
    style.finderColor !== undefined ||
    style.logo !== undefined
  );
}

/** Encodes with the level the style needs: with a logo, H and a version roomy enough for it. */
export function encodeForStyle(text: string, style: CodeStyle): QrCode {
  const eci = style.eci ?? 'auto';
  if (!style.logo) return encodeText(text, { ecc: style.ecc ?? 'M', eci });
  const wanted = style.logo.size ?? 0.2;
  let qr = encodeText(text, { ecc: 'H', eci });
  while (largestLogo(qr) < wanted && qr.version < 40)
    qr = encodeText(text, { ecc: 'H', eci, minVersion: qr.version + 1 });
  return qr;
}

function styledSvg(qr: QrCode, style: CodeStyle, size?: number): string {
  return renderStyledSvg(qr, {
    margin: style.margin,
    dark: style.dark,
    light: style.light,
    size,
    moduleShape: style.moduleShape,
    finderShape: style.finderShape,
    finderColor: style.finderColor,
    logo: style.logo && { href: style.logo.image, size: style.logo.size },
  });
}

export async function renderCode(
  text: string,
  format: CodeFormat,
  style: CodeStyle = {},
  pdf: PdfLayout = {},
): Promise<Rendered> {
  const qr = encodeForStyle(text, style);
  const styled = isStyled(style);
  const done = (bytes: Uint8Array): Rendered => ({
    bytes,
    contentType: CONTENT_TYPES[format],
    extension: format,
    version: qr.version,
    ecc: qr.ecc,
  });
  switch (format) {
    case 'png': {
      const size = style.size ?? DEFAULT_PNG_SIZE;
      if (!styled)
        return done(
          renderPng(qr, { size, margin: style.margin, dark: style.dark, light: style.light }),
        );
      // Shapes and logos are drawn in SVG; resvg rasterises them (it never fetches: the logo is
      // a data: URI checked by the styler).
      // Loaded on first use: batch worker threads that draw plain codes start faster without it.
      const { Resvg } = await import('@resvg/resvg-js');
      const png = new Resvg(styledSvg(qr, style), { fitTo: { mode: 'width', value: size } })
        .render()
        .asPng();
      return done(png);
    }
    case 'svg': {
      const options = {
        margin: style.margin,
        dark: style.dark,
        light: style.light,
        size: style.size,
      };
      const svg = styled ? styledSvg(qr, style, style.size) : renderSvg(qr, options);
      return done(new TextEncoder().encode(svg));
    }
    case 'pdf': {
      if (styled)
        throw new QrArgumentError(
          'format',
          'pdf',
          'png or svg for module shapes, finder styles and logos (PDF draws square modules)',
        );
      return done(
        await renderPdf(qr, {
          margin: style.margin ?? 4,
          dark: style.dark ?? '#000',
          light: style.light ?? '#fff',
          sizeMm: pdf.sizeMm ?? 50,
          page: pdf.page ?? 'fit',
          label: pdf.label,
        }),
      );
    }
    case 'txt':
      return done(new TextEncoder().encode(renderText(qr, { margin: style.margin, ink: 'dark' })));
  }
}
