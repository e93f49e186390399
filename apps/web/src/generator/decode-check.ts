/**
 * Does the styled code still scan? The preview is decoded in the browser by ZXing-C++
 * (zxing-wasm, see ../zxing.ts).
 * The SVG is rasterised on a canvas at a modest size, like a phone camera would see it.
 */
import { readBarcodes } from 'zxing-wasm/reader';
import { zxingReady } from '../zxing.js';

/** The texts of the QR codes found in an image URL (the preview's data: URI). */
export async function decodePreview(src: string, size = 240): Promise<string[]> {
  await zxingReady();
  const image = new Image();
  image.src = src;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size, size);
  context.drawImage(image, 0, 0, size, size);
  const results = await readBarcodes(context.getImageData(0, 0, size, size), {
    formats: ['QRCode'],
    tryHarder: true,
  });
  return results.map((result) => result.text);
}
