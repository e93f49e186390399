/**
 * PDF output with pdfkit: the code is drawn as vector rectangles (one per horizontal run of dark
 * modules, filled as one path), so it prints sharp at any size; an optional label is set under it.
 */
import { parseColor, toHex, type QrCode } from '@qrforge/qr';

/**
 * pdfkit, imported on first use: with its font and compression tables it holds about 6 MB of heap
 * in each process and render thread that loads it, and most never draw a PDF.
 */
let pdfkit: Promise<PDFKit.PDFDocument> | undefined; // pdfkit's types: the class is the module
export function loadPdfKit(): Promise<PDFKit.PDFDocument> {
  pdfkit ??= import('pdfkit').then((module) => module.default);
  return pdfkit;
}

export const PAGE_SIZES = ['fit', 'A4', 'Letter'] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export interface PdfOptions {
  /** Quiet zone in modules. */
  margin: number;
  dark: string;
  light: string;
  /** Printed width of the code, quiet zone included, in millimetres. */
  sizeMm: number;
  /** 'fit': the page is the code (and label); A4 / Letter: the code centred near the top. */
  page: PageSize;
  /** Text printed under the code (Helvetica: Latin-1 characters). */
  label?: string;
  title?: string;
}

const POINTS_PER_MM = 72 / 25.4;
const LABEL_POINTS = 10;

/** Draws the dark modules of `qr` as rectangles at (x, y), `modulePt` points per module. */
export function drawCode(
  doc: PDFKit.PDFDocument,
  qr: QrCode,
  x: number,
  y: number,
  modulePt: number,
  margin: number,
  dark: string,
): void {
  for (let row = 0; row < qr.size; row++) {
    let col = 0;
    while (col < qr.size) {
      if (qr.modules[row * qr.size + col] !== 1) {
        col++;
        continue;
      }
      const start = col;
      while (col < qr.size && qr.modules[row * qr.size + col] === 1) col++;
      doc.rect(
        x + (start + margin) * modulePt,
        y + (row + margin) * modulePt,
        (col - start) * modulePt,
        modulePt,
      );
    }
  }
  doc.fill(toHex(parseColor(dark, 'dark')));
}

export async function renderPdf(qr: QrCode, options: PdfOptions): Promise<Uint8Array> {
  const PDFDocument = await loadPdfKit();
  const side = options.sizeMm * POINTS_PER_MM;
  const modulePt = side / (qr.size + 2 * options.margin);
  const labelHeight = options.label ? LABEL_POINTS * 2 : 0;
  const fit = options.page === 'fit';
  const doc = new PDFDocument({
    size: fit ? [side, side + labelHeight] : options.page,
    margin: 0,
    info: { Title: options.title ?? 'QR code', Producer: 'QR Forge', Creator: 'QR Forge' },
  });
  const x = fit ? 0 : (doc.page.width - side) / 2;
  const y = fit ? 0 : 72;
  const light = parseColor(options.light, 'light');
  if (light.a > 0) doc.rect(x, y, side, side).fill(toHex(light));
  drawCode(doc, qr, x, y, modulePt, options.margin, options.dark);
  if (options.label) {
    doc
      .fillColor('#000')
      .font('Helvetica')
      .fontSize(LABEL_POINTS)
      .text(options.label, x, y + side + LABEL_POINTS / 2, {
        width: side,
        align: 'center',
        lineBreak: false,
      });
  }
  return collect(doc);
}

export function collect(doc: PDFKit.PDFDocument): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
