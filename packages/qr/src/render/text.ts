/**
 * Terminal output with Unicode half blocks: one character cell holds two module rows, so the
 * code keeps its square shape in a terminal. Platform-neutral.
 */
import type { QrCode } from '../encode/encode.js';
import { checkMargin } from './layout.js';

export interface TextOptions {
  /** Quiet zone in modules; default 4. */
  margin?: number;
  /**
   * Which modules are drawn with block glyphs. 'light' (default) suits the usual dark terminal
   * background: the glyphs paint the light modules and the background shows through as dark.
   */
  ink?: 'light' | 'dark';
}

const GLYPHS = [' ', '▄', '▀', '█']; // index = upper * 2 + lower

export function renderText(qr: QrCode, options: TextOptions = {}): string {
  const margin = checkMargin(options.margin);
  const inkOnDark = (options.ink ?? 'light') === 'dark';
  const side = qr.size + 2 * margin;
  const inked = (x: number, y: number): number => {
    const mx = x - margin;
    const my = y - margin;
    const dark =
      mx >= 0 && my >= 0 && mx < qr.size && my < qr.size && qr.modules[my * qr.size + mx] === 1;
    return dark === inkOnDark ? 1 : 0;
  };
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) {
      const lower = y + 1 < side ? inked(x, y + 1) : 0;
      line += GLYPHS[inked(x, y) * 2 + lower];
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
