/**
 * The status lifecycle table: the path the issue names is allowed step by step, every other move
 * is refused, nothing moves to itself, scrapped is final, and every status is reachable from
 * generated (no dead entries in the table).
 */
import { describe, expect, it } from 'vitest';
import {
  canMove,
  ITEM_STATUSES,
  TRANSITIONS,
  type ItemStatus,
} from '../src/modules/inventory/lifecycle.js';

/** Every allowed move, written out: a change to the table must change this list too. */
const ALLOWED = [
  'generated>engraved',
  'generated>quarantined',
  'generated>scrapped',
  'engraved>verified',
  'engraved>quarantined',
  'engraved>scrapped',
  'verified>available',
  'verified>quarantined',
  'verified>scrapped',
  'available>reserved',
  'available>quarantined',
  'available>scrapped',
  'reserved>shipped',
  'reserved>available',
  'reserved>quarantined',
  'shipped>returned',
  'returned>available',
  'returned>quarantined',
  'returned>scrapped',
  'quarantined>verified',
  'quarantined>available',
  'quarantined>scrapped',
];

describe('item lifecycle', () => {
  const pairs = ITEM_STATUSES.flatMap((from) => ITEM_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s -> %s follows the table', (from, to) => {
    expect(canMove(from, to)).toBe(ALLOWED.includes(`${from}>${to}`));
  });

  it('allows the production path generated -> engraved -> verified -> available -> reserved -> shipped -> returned', () => {
    const path: ItemStatus[] = [
      'generated',
      'engraved',
      'verified',
      'available',
      'reserved',
      'shipped',
      'returned',
    ];
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1], path[i])).toBe(true);
  });

  it('has no self-moves, scrapped is final, and every status is reachable from generated', () => {
    for (const status of ITEM_STATUSES) expect(canMove(status, status)).toBe(false);
    expect(TRANSITIONS.scrapped).toEqual([]);
    const reached = new Set<ItemStatus>(['generated']);
    for (let grew = true; grew;) {
      grew = false;
      for (const from of [...reached])
        for (const to of TRANSITIONS[from])
          if (!reached.has(to)) {
            reached.add(to);
            grew = true;
          }
    }
    expect([...reached].sort()).toEqual([...ITEM_STATUSES].sort());
  });
});
