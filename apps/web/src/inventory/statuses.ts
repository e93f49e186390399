/** Item statuses as the server's lifecycle names them, with the colour each is shown in. */
import type { paths } from '../api/schema.js';

export type Item =
  paths['/api/v1/inventory/items/{uid}']['get']['responses']['200']['content']['application/json'];
export type ItemStatus = Item['status'];

/**
 * Shade 9 (8 for grey) of hues dark enough for white badge text at 4.5:1 or more (green,
 * yellow and orange are not, even at 9).
 */
export const STATUS_COLOURS: Record<ItemStatus, string> = {
  generated: 'gray.8',
  engraved: 'indigo.9',
  verified: 'cyan.9',
  available: 'teal.9',
  reserved: 'grape.9',
  shipped: 'blue.9',
  returned: 'pink.9',
  quarantined: 'red.9',
  scrapped: 'dark.7',
};

export const STATUSES = Object.keys(STATUS_COLOURS) as ItemStatus[];
