/**
 * A decode worker thread: ZXing-C++ (zxing-wasm), its .wasm read from node_modules. It reads the
 * image file itself (PNG, JPEG, GIF, BMP) and reports every code: QR first, also Micro QR,
 * DataMatrix and Code 128. `tryHarder`, `tryRotate`, `tryInvert` and `tryDownscale` are ZXing's
 * own retries (rotated, dark-background and large photos).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

export interface DecodeTask {
  bytes: Uint8Array;
}

export interface DecodedCode {
  text: string;
  format: string;
  /** L, M, Q or H for QR codes; empty when the format has none. */
  errorCorrection: string;
  version: string;
  /** Corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
  corners: { x: number; y: number }[];
}

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
const ready = prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});

export default async function decode({
  bytes,
}: DecodeTask): Promise<DecodedCode[] | { error: string }> {
  await ready;
  const results = await readBarcodes(bytes, {
    formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 32,
  });
  // zxing reports a file it cannot read as one invalid result with an error and no format.
  const unreadable = results.find((r) => !r.isValid && r.error && !r.format);
  if (unreadable && results.length === 1) return { error: unreadable.error };
  return results
    .filter((r) => r.isValid)
    .map((r) => ({
      text: r.text,
      format: r.format,
      errorCorrection: r.ecLevel,
      version: r.version,
      corners: [
        r.position.topLeft,
        r.position.topRight,
        r.position.bottomRight,
        r.position.bottomLeft,
      ].map(({ x, y }) => ({ x, y })),
    }));
}
