/**
 * The independent decoder every test checks our codes with: ZXing-C++ compiled to WebAssembly
 * (zxing-wasm), its .wasm read from node_modules — never fetched from a CDN.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
let ready: Promise<unknown> | undefined;

function prepare(): Promise<unknown> {
  const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
  const wasm = readFileSync(wasmPath);
  return prepareZXingModule({
    overrides: {
      wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength),
    },
    fireImmediately: true,
  });
}

/** Decodes every QR code in an encoded image file (PNG etc.) or RGBA pixels. */
export async function decodeQr(image: Uint8Array | ImageData): Promise<ReadResult[]> {
  ready ??= prepare();
  await ready;
  return readBarcodes(image, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 });
}

/** RGBA ImageData-like object from a greyscale 0/255 callback, for rasters we draw in tests. */
export function rgbaImage(
  width: number,
  height: number,
  isDark: (x: number, y: number) => boolean,
): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = isDark(x, y) ? 0 : 255;
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  const image: ImageData = { data, width, height, colorSpace: 'srgb' };
  return image;
}
