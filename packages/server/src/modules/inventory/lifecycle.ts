/**
 * The item status lifecycle as data: which status may follow which. Changing the table changes
 * the rules everywhere (single and bulk transitions, imports, scan sessions).
 */
export const ITEM_STATUSES = [
  'generated',
  'engraved',
  'verified',
  'available',
  'reserved',
  'shipped',
  'returned',
  'quarantined',
  'scrapped',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const TRANSITIONS: Record<ItemStatus, readonly ItemStatus[]> = {
  generated: ['engraved', 'quarantined', 'scrapped'],
  engraved: ['verified', 'quarantined', 'scrapped'],
  verified: ['available', 'quarantined', 'scrapped'],
  available: ['reserved', 'quarantined', 'scrapped'],
  reserved: ['shipped', 'available', 'quarantined'],
  shipped: ['returned'],
  returned: ['available', 'quarantined', 'scrapped'],
  quarantined: ['verified', 'available', 'scrapped'],
  scrapped: [],
};

export const canMove = (from: ItemStatus, to: ItemStatus) => TRANSITIONS[from].includes(to);
