/**
 * Run time of a toolpath from its moves: each straight stroke (consecutive moves in one direction,
 * as GRBL's planner joins collinear segments at full speed) accelerates to its feed and back with
 * the machine's acceleration (a trapezoid, or a triangle when too short to reach the feed).
 * Corners are taken as full stops, so the estimate errs long.
 */
import type { Move } from './interpret.js';
import type { MachineProfile } from './settings.js';

export function estimateSeconds(moves: Move[], machine: MachineProfile): number {
  let seconds = 0;
  let stroke: { length: number; speed: number; dx: number; dy: number } | undefined;
  const finish = () => {
    if (stroke) seconds += trapezoid(stroke.length, stroke.speed, machine.acceleration);
    stroke = undefined;
  };
  for (const move of moves) {
    const dx = move.to.x - move.from.x;
    const dy = move.to.y - move.from.y;
    const dz = move.to.z - move.from.z;
    const length = Math.hypot(dx, dy, dz);
    if (length === 0) continue;
    const speed = Math.min(move.feed ?? machine.maxRate, machine.maxRate) / 60;
    const ux = dx / length;
    const uy = dy / length;
    const straight =
      stroke &&
      stroke.speed === speed &&
      Math.abs(ux - stroke.dx) < 1e-6 &&
      Math.abs(uy - stroke.dy) < 1e-6;
    if (!straight) {
      finish();
      stroke = { length: 0, speed, dx: ux, dy: uy };
    }
    stroke!.length += length;
  }
  finish();
  return seconds;
}

/** Time to cover `length` mm from rest to rest at up to `speed` mm/s with `acceleration` mm/s². */
function trapezoid(length: number, speed: number, acceleration: number): number {
  const ramp = (speed * speed) / acceleration; // accelerating plus braking distance
  if (length >= ramp) return length / speed + speed / acceleration;
  return 2 * Math.sqrt(length / acceleration);
}
