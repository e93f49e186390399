/**
 * @qrforge/qr — QR Code encoding per ISO/IEC 18004:2015, with no runtime dependencies.
 * This entry point is platform-neutral (browser and Node); PNG output lives in `@qrforge/qr/png`.
 */
export { encodeText, encodeBytes, encodeSegments } from './encode/encode.js';
export type { EncodeOptions, QrCode } from './encode/encode.js';
export {
  numericSegment,
  alphanumericSegment,
  byteSegment,
  kanjiSegment,
  eciSegment,
  totalBits,
  ECI_UTF8,
} from './encode/segments.js';
export type { Segment, Mode } from './encode/segments.js';
export { analyzeText, optimalSegments } from './encode/segmentation.js';
export { dataCodewords, symbolSize, ECC_LEVELS } from './encode/tables.js';
export type { ErrorCorrectionLevel } from './encode/tables.js';
export { QrArgumentError, QrCapacityError } from './errors.js';
export { toMatrix } from './render/matrix.js';
export { parseColor, toHex, contrastRatio } from './render/color.js';
export type { Rgba } from './render/color.js';
