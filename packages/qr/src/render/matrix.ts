import type { QrCode } from '../encode/encode.js';

/** The module grid as rows of booleans (true = dark), with an optional light quiet zone. */
export function toMatrix(qr: QrCode, margin = 0): boolean[][] {
  const side = qr.size + 2 * margin;
  const rows: boolean[][] = [];
  for (let y = 0; y < side; y++) {
    const row = new Array<boolean>(side).fill(false);
    const my = y - margin;
    if (my >= 0 && my < qr.size) {
      for (let x = 0; x < qr.size; x++) row[x + margin] = qr.modules[my * qr.size + x] === 1;
    }
    rows.push(row);
  }
  return rows;
}
