/**
 * What a scanned text says and how it counts in a session. Pure functions, so the rules read as a
 * table (see scan-classify.test.ts).
 */
import type { IdTemplate } from '../../inventory/ids/id-template.js';
import { canMove, type ItemStatus } from '../../inventory/lifecycle.js';
import type { ScanResult } from '../schema.js';

/** What a code's text points at: a UID, a GS1 Digital Link's parts, or nothing of ours. */
export type CodeReference =
  | { kind: 'uid'; uid: string }
  | { kind: 'gs1'; gtin: string; lot: string; serial: number }
  | { kind: 'invalid'; reason: string };

const GS1_PATH = /\/01\/(\d{14})\/10\/([^/?#]+)\/21\/(\d+)\/?$/;
const ITEM_PATH = /\/i\/([^/?#]+)\/?$/;

/**
 * Item codes hold the UID, a public item URL (`<base>/i/<uid>`) or a GS1 Digital Link
 * (`<base>/01/<gtin>/10/<lot>/21/<serial>`), as the tenant's code content setting chose when the
 * item was made; all three are read back here. The UID must fit the tenant's ID template.
 */
export function readReference(text: string, template: IdTemplate): CodeReference {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let path: string;
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return { kind: 'invalid', reason: `"${trimmed}" is not a URL` };
    }
    const gs1 = GS1_PATH.exec(path);
    if (gs1) return { kind: 'gs1', gtin: gs1[1], lot: safeDecode(gs1[2]), serial: Number(gs1[3]) };
    const item = ITEM_PATH.exec(path);
    if (!item)
      return { kind: 'invalid', reason: 'the link is neither an item page nor a GS1 Digital Link' };
    return checked(safeDecode(item[1]), template);
  }
  return checked(trimmed, template);
}

function checked(uid: string, template: IdTemplate): CodeReference {
  const parsed = template.parse(uid);
  return parsed.ok ? { kind: 'uid', uid } : { kind: 'invalid', reason: parsed.reason };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export interface ScanFacts {
  /** Why the text is not one of our IDs, if it is not. */
  invalid?: string;
  /** The item, when the inventory has it. */
  item?: { uid: string; status: ItemStatus };
  /** An earlier scan in this session found the same item. */
  seenBefore: boolean;
  /** In the session's expected set; undefined when the session expects nothing in particular. */
  expected?: boolean;
  /** The status the session moves its items to at closing, if any. */
  target: ItemStatus | null;
}

/**
 * Statuses that must not be in circulation: without a target status, a scan of such an item is
 * `wrong-status` (e.g. a scrapped part found in a shipment).
 */
const OUT_OF_CIRCULATION: readonly ItemStatus[] = ['scrapped', 'quarantined'];

/**
 * The first rule that applies wins: not our ID, not in the inventory, already scanned, not
 * expected, cannot make the session's move (or out of circulation), else ok.
 */
export function classify(facts: ScanFacts): { result: ScanResult; detail: string | null } {
  if (facts.invalid !== undefined) return { result: 'invalid-id', detail: facts.invalid };
  const item = facts.item;
  if (!item) return { result: 'unknown', detail: 'not in the inventory' };
  if (facts.seenBefore) return { result: 'duplicate', detail: 'already scanned in this session' };
  if (facts.expected === false) return { result: 'unexpected', detail: 'not in the expected set' };
  if (facts.target) {
    if (item.status === facts.target)
      return { result: 'wrong-status', detail: `already ${item.status}` };
    if (!canMove(item.status, facts.target))
      return {
        result: 'wrong-status',
        detail: `${item.status}; it cannot move to ${facts.target}`,
      };
  } else if (OUT_OF_CIRCULATION.includes(item.status))
    return { result: 'wrong-status', detail: item.status };
  return { result: 'ok', detail: null };
}
