// The peer: zxing-wasm alone, reading the JPEG file itself with the same reader options our
// decode worker passes (its own retries: harder, rotated, inverted, downscaled), no preparation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
const ready = prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});

export default async function read({ bytes }) {
  await ready;
  const results = await readBarcodes(bytes, {
    formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 32,
  });
  return results.filter((r) => r.isValid).map((r) => r.text);
}
