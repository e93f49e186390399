/**
 * Label sheets: the batch's codes on A4 or Letter pages in a grid (rows x columns within page
 * margins), each with its label under it, drawn as vectors. The PDF is a stream, written as the
 * pages are drawn, so a long batch never sits in memory.
 */
import type { Readable } from 'node:stream';
import { encodeText } from '@qrforge/qr';
import { drawCode, loadPdfKit } from '../pdf.js';
import type { CodeStyle } from '../schemas.js';

export interface SheetLayout {
  page: 'A4' | 'Letter';
  columns: number;
  rows: number;
  /** Page margin on every side, millimetres. */
  marginMm: number;
  /** Print the label (or the data) under each code. */
  labels: boolean;
}

export const DEFAULT_SHEET: SheetLayout = {
  page: 'A4',
  columns: 4,
  rows: 6,
  marginMm: 10,
  labels: true,
};

const MM = 72 / 25.4;
const LABEL_PT = 7;

export interface SheetWriter {
  stream: Readable;
  add(text: string, label: string | undefined): void;
  end(): void;
}

export async function labelSheet(
  layout: SheetLayout,
  style: CodeStyle,
  title: string,
): Promise<SheetWriter> {
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({
    size: layout.page,
    margin: 0,
    autoFirstPage: false,
    info: { Title: title, Producer: 'QR Forge', Creator: 'QR Forge' },
  });
  const margin = style.margin ?? 4;
  let index = 0;
  let cell = { width: 0, height: 0, left: 0, top: 0 };
  return {
    stream: doc,
    add(text, label) {
      const perPage = layout.columns * layout.rows;
      if (index % perPage === 0) {
        doc.addPage();
        const left = layout.marginMm * MM;
        const top = layout.marginMm * MM;
        cell = {
          left,
          top,
          width: (doc.page.width - 2 * left) / layout.columns,
          height: (doc.page.height - 2 * top) / layout.rows,
        };
      }
      const slot = index % perPage;
      const x0 = cell.left + (slot % layout.columns) * cell.width;
      const y0 = cell.top + Math.floor(slot / layout.columns) * cell.height;
      const labelSpace = layout.labels ? LABEL_PT * 1.6 : 0;
      const side = Math.min(cell.width, cell.height - labelSpace);
      const qr = encodeText(text, { ecc: style.ecc ?? 'M', eci: style.eci ?? 'auto' });
      const x = x0 + (cell.width - side) / 2;
      drawCode(doc, qr, x, y0, side / (qr.size + 2 * margin), margin, style.dark ?? '#000');
      if (layout.labels) {
        doc
          .fillColor('#000')
          .font('Helvetica')
          .fontSize(LABEL_PT)
          .text(toLatin1(label ?? text), x0, y0 + side + LABEL_PT * 0.2, {
            width: cell.width,
            align: 'center',
            lineBreak: false,
            ellipsis: true,
          });
      }
      index++;
    },
    end: () => doc.end(),
  };
}

/** The standard PDF fonts cover Latin-1; other characters print as '?'. */
function toLatin1(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}
