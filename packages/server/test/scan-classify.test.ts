/**
 * Scan classification as a table: each row is the facts about one scan and the result it must
 * get; and reading item references from what codes hold (a UID, an item page URL, a GS1 Digital
 * Link), checked against the tenant's ID template.
 */
import { describe, expect, it } from 'vitest';
import { IdTemplate } from '../src/modules/inventory/ids/id-template.js';
import type { ItemStatus } from '../src/modules/inventory/lifecycle.js';
import { classify, readReference } from '../src/modules/scanning/sessions/classify.js';

const item = (status: ItemStatus) => ({ uid: 'PAD-V0100-L2025-09-00001', status });

describe('scan classification', () => {
  const rows: [string, Parameters<typeof classify>[0], string, string | null][] = [
    [
      'not our ID',
      { invalid: 'bad shape', seenBefore: false, target: null },
      'invalid-id',
      'bad shape',
    ],
    [
      'not in the inventory',
      { seenBefore: false, target: null },
      'unknown',
      'not in the inventory',
    ],
    [
      'scanned before',
      { item: item('available'), seenBefore: true, target: null },
      'duplicate',
      'already scanned in this session',
    ],
    [
      'duplicate wins over unexpected',
      { item: item('available'), seenBefore: true, expected: false, target: null },
      'duplicate',
      'already scanned in this session',
    ],
    [
      'not expected',
      { item: item('available'), seenBefore: false, expected: false, target: null },
      'unexpected',
      'not in the expected set',
    ],
    [
      'unexpected wins over wrong status',
      { item: item('scrapped'), seenBefore: false, expected: false, target: 'shipped' },
      'unexpected',
      'not in the expected set',
    ],
    [
      'expected, no target',
      { item: item('available'), seenBefore: false, expected: true, target: null },
      'ok',
      null,
    ],
    [
      'no expected set at all',
      { item: item('engraved'), seenBefore: false, target: null },
      'ok',
      null,
    ],
    [
      'scrapped, no target',
      { item: item('scrapped'), seenBefore: false, target: null },
      'wrong-status',
      'scrapped',
    ],
    [
      'quarantined, no target',
      { item: item('quarantined'), seenBefore: false, target: null },
      'wrong-status',
      'quarantined',
    ],
    [
      'can make the move',
      { item: item('verified'), seenBefore: false, expected: true, target: 'available' },
      'ok',
      null,
    ],
    [
      'cannot make the move',
      { item: item('generated'), seenBefore: false, expected: true, target: 'available' },
      'wrong-status',
      'generated; it cannot move to available',
    ],
    [
      'already there',
      { item: item('available'), seenBefore: false, expected: true, target: 'available' },
      'wrong-status',
      'already available',
    ],
    [
      'scrapped with a target',
      { item: item('scrapped'), seenBefore: false, target: 'shipped' },
      'wrong-status',
      'scrapped; it cannot move to shipped',
    ],
    [
      'reserved to shipped',
      { item: item('reserved'), seenBefore: false, target: 'shipped' },
      'ok',
      null,
    ],
  ];

  it.each(rows)('%s', (_, facts, result, detail) => {
    expect(classify(facts)).toEqual({ result, detail });
  });
});

describe('reading what a code holds', () => {
  const template = IdTemplate.compile();

  it.each([
    ['PAD-V0100-L2025-09-00001', { kind: 'uid', uid: 'PAD-V0100-L2025-09-00001' }],
    ['  PAD-V0100-L2025-09-00001\r\n', { kind: 'uid', uid: 'PAD-V0100-L2025-09-00001' }],
    [
      'https://parts.example.com/i/PAD-V0100-L2025-09-00001',
      { kind: 'uid', uid: 'PAD-V0100-L2025-09-00001' },
    ],
    [
      'https://parts.example.com/x/i/PAD-V0100-L2025-09-00001/',
      { kind: 'uid', uid: 'PAD-V0100-L2025-09-00001' },
    ],
    [
      'https://id.example.com/01/09506000134352/10/L2025-09/21/17',
      { kind: 'gs1', gtin: '09506000134352', lot: 'L2025-09', serial: 17 },
    ],
    [
      'https://id.example.com/01/09506000134352/10/L%2F7/21/3',
      { kind: 'gs1', gtin: '09506000134352', lot: 'L/7', serial: 3 },
    ],
  ])('%j', (text, reference) => {
    expect(readReference(text, template)).toEqual(reference);
  });

  it.each([
    ['hello world', '"hello world" does not have the shape {type}-{vendor}-{lot}-{serial:5}'],
    ['PAD-V0100-L2025-09-00000', 'serial 0 is never issued'],
    ['https://example.com/products/42', 'the link is neither an item page nor a GS1 Digital Link'],
    [
      'https://example.com/i/not-an-id',
      '"not-an-id" does not have the shape {type}-{vendor}-{lot}-{serial:5}',
    ],
  ])('%j is not one of ours', (text, reason) => {
    expect(readReference(text, template)).toEqual({ kind: 'invalid', reason });
  });

  it('checks the check character of a template that has one', () => {
    const checked = IdTemplate.compile('{type}-{serial:4}{check}');
    const uid = checked.format({ type: 'PAD', vendor: '', lot: '', serial: 12 });
    expect(readReference(uid, checked)).toEqual({ kind: 'uid', uid });
    const misread = uid.slice(0, -1) + (uid.endsWith('A') ? 'B' : 'A');
    expect(readReference(misread, checked)).toMatchObject({ kind: 'invalid' });
  });
});
