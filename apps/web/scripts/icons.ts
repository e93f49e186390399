/**
 * The page's icons, drawn by our own engine: a version 1 QR code of "QR Forge" in the theme's
 * indigo on white. Run once with `npx tsx apps/web/scripts/icons.ts`; the files in public/ are
 * committed (Vite copies them to the build as they are).
 *   favicon.svg (modern browsers), favicon.ico (a PNG inside an ICO, for /favicon.ico requests),
 *   icon-200.png and icon-500.png (the web app manifest), apple-touch-icon.png (iOS home screen).
 */
import { writeFileSync } from 'node:fs';
import { encodeText } from '../../../packages/qr/src/index.js';
import { renderPng } from '../../../packages/qr/src/render/png.js';
import { renderSvg } from '../../../packages/qr/src/render/svg.js';

const out = (name: string) => new URL(`../public/${name}`, import.meta.url);
const qr = encodeText('QR Forge', { ecc: 'L', minVersion: 1, maxVersion: 1 });
const colours = { dark: '#3b5bdb', light: '#ffffff' };

writeFileSync(out('favicon.svg'), renderSvg(qr, { ...colours, margin: 1 }));
// Whole pixels per module: 25 modules (21 and a margin of 2) at 8 and 20 px are 200 and 500 px
// square, the sizes the manifest declares.
const png = (scale: number, margin: number) => renderPng(qr, { ...colours, scale, margin });
writeFileSync(out('icon-200.png'), png(8, 2));
writeFileSync(out('icon-500.png'), png(20, 2));
writeFileSync(out('apple-touch-icon.png'), png(7, 2));

// ICO (Microsoft's icon format): a 6-byte header and one 16-byte directory entry pointing at a
// PNG image, which every browser since IE 11 reads inside an ICO.
// 23 modules (21 and a margin of 1) at 2 px: 46 px square; the entry says what the PNG is.
const image = renderPng(qr, { ...colours, scale: 2, margin: 1 });
const side = Buffer.from(image).readUInt32BE(16); // the PNG's IHDR width
const header = Buffer.alloc(22);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(1, 4); // one image
header.writeUInt8(side, 6); // width
header.writeUInt8(side, 7); // height
header.writeUInt8(0, 8); // no palette
header.writeUInt8(0, 9); // reserved
header.writeUInt16LE(1, 10); // colour planes
header.writeUInt16LE(32, 12); // bits per pixel
header.writeUInt32LE(image.length, 14); // image size
header.writeUInt32LE(22, 18); // image offset
writeFileSync(out('favicon.ico'), Buffer.concat([header, image]));
console.log(
  'wrote apps/web/public: favicon.svg, favicon.ico, icon-200.png, icon-500.png, apple-touch-icon.png',
);
