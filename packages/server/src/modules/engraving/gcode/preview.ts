/**
 * An SVG of a toolpath: burns as dark strokes the width of the line interval, rapids as thin
 * dashed lines, the machine's Y axis pointing up.
 */
import { bounds, type Move } from './interpret.js';
import { num } from './generate.js';

export function previewSvg(moves: Move[], lineWidth: number): string {
  const margin = 2;
  const box = bounds(moves);
  const minX = box.minX - margin;
  const maxX = box.maxX + margin;
  const minY = box.minY - margin;
  const maxY = box.maxY + margin;
  const path = (kind: 'burn' | 'rapid') =>
    moves
      .filter((m) => (kind === 'burn' ? m.power > 0 : m.kind === 'rapid'))
      .map((m) => `M${num(m.from.x)} ${num(-m.from.y)}L${num(m.to.x)} ${num(-m.to.y)}`)
      .join('');
  const width = maxX - minX;
  const height = maxY - minY;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${num(minX)} ${num(-maxY)} ${num(width)} ${num(height)}" width="${num(width)}mm" height="${num(height)}mm">` +
    `<rect x="${num(minX)}" y="${num(-maxY)}" width="${num(width)}" height="${num(height)}" fill="#f4f1ea"/>` +
    `<path d="${path('rapid')}" fill="none" stroke="#3b82f6" stroke-width="${num(lineWidth / 3)}" stroke-dasharray="${num(lineWidth)}"/>` +
    `<path d="${path('burn')}" fill="none" stroke="#1c1c1c" stroke-width="${num(lineWidth)}"/>` +
    '</svg>'
  );
}
