/**
 * Reads back any file the API returns with the independent decoder (ZXing-C++ via zxing-wasm):
 * PNG directly, SVG rasterised by resvg, PDF by drawing the filled rectangles of its content
 * streams, text by reading its half-block glyphs.
 */
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { decodeQr, rgbaImage } from '../../../qr/test/helpers/zxing.js';

export async function decodeFile(bytes: Uint8Array, contentType: string): Promise<string[]> {
  const type = contentType.split(';')[0];
  if (type === 'image/png') return texts(await decodeQr(bytes));
  if (type === 'image/svg+xml') {
    const png = new Resvg(Buffer.from(bytes).toString(), {
      fitTo: { mode: 'width', value: 400 },
    })
      .render()
      .asPng();
    return texts(await decodeQr(png));
  }
  if (type === 'application/pdf') return texts(await decodeQr(rasterisePdf(bytes)));
  if (type === 'text/plain')
    return texts(await decodeQr(rasteriseText(Buffer.from(bytes).toString())));
  throw new Error(`cannot decode ${contentType}`);
}

const texts = (results: { text: string }[]) => results.map((r) => r.text);

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Paints every `re` rectangle filled with a dark colour (pdfkit writes top-down coordinates). */
export function rasterisePdf(pdf: Uint8Array, pxPerPt = 3): ImageData {
  const raw = Buffer.from(pdf).toString('latin1');
  const painted: Rect[] = [];
  let width = 0;
  let height = 0;
  const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(raw);
  if (box) [width, height] = [Number(box[1]), Number(box[2])];
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
    const start = match.index + match[0].indexOf(match[1]);
    const data = Buffer.from(pdf.subarray(start, start + match[1].length));
    let content: string;
    try {
      content = inflateSync(data).toString('latin1');
    } catch {
      content = data.toString('latin1');
    }
    let pending: Rect[] = [];
    let dark = true;
    for (const line of content.split('\n')) {
      const re = /^(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re$/.exec(line.trim());
      if (re) pending.push({ x: +re[1], y: +re[2], w: +re[3], h: +re[4] });
      const colour = /^([\d.]+) ([\d.]+) ([\d.]+) scn$/.exec(line.trim());
      if (colour) dark = +colour[1] + +colour[2] + +colour[3] < 1.5;
      if (line.trim() === 'f') {
        if (dark) painted.push(...pending);
        pending = [];
      }
    }
  }
  const w = Math.ceil(width * pxPerPt);
  const h = Math.ceil(height * pxPerPt);
  const ink = new Uint8Array(w * h);
  for (const r of painted) {
    for (let y = Math.round(r.y * pxPerPt); y < Math.round((r.y + r.h) * pxPerPt); y++)
      for (let x = Math.round(r.x * pxPerPt); x < Math.round((r.x + r.w) * pxPerPt); x++)
        if (x >= 0 && y >= 0 && x < w && y < h) ink[y * w + x] = 1;
  }
  return rgbaImage(w, h, (x, y) => ink[y * w + x] === 1);
}

/** Half-block text (dark ink): each character holds two module rows. */
export function rasteriseText(text: string, scale = 6): ImageData {
  const lines = text.replace(/\n$/, '').split('\n');
  const cols = Math.max(...lines.map((l) => [...l].length));
  const dark = (x: number, row: number) => {
    const c = [...(lines[row >> 1] ?? '')][x] ?? ' ';
    return row % 2 === 0 ? c === '█' || c === '▀' : c === '█' || c === '▄';
  };
  return rgbaImage(cols * scale, lines.length * 2 * scale, (x, y) =>
    dark(Math.floor(x / scale), Math.floor(y / scale)),
  );
}
