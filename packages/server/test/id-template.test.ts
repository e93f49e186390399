/** The ID-schema engine: templates format and parse IDs, check characters catch misreads. */
import { describe, expect, it } from 'vitest';
import { checkCharacter } from '../src/modules/inventory/ids/check-character.js';
import {
  IdTemplate,
  IdTemplateError,
  IdValueError,
} from '../src/modules/inventory/ids/id-template.js';

const PAD = { type: 'PAD', vendor: 'V0100', lot: 'L2025-09', serial: 1, date: '2025-01-15' };

describe('ID templates', () => {
  it('gives PAD-V0100-L2025-09-00001 by default and reads it back', () => {
    const template = IdTemplate.compile();
    expect(template.format(PAD)).toBe('PAD-V0100-L2025-09-00001');
    expect(template.maxSerial).toBe(99_999);
    expect(template.parse('PAD-V0100-L2025-09-00001')).toEqual({
      ok: true,
      parts: { type: 'PAD', vendor: 'V0100', lot: 'L2025-09', serial: 1 },
    });
    // A lot holding the separator still parses: the serial is anchored at the end.
    expect(template.parse('PAD-V0100-A-B-C-00042')).toMatchObject({
      ok: true,
      parts: { lot: 'A-B-C', serial: 42 },
    });
  });

  it('names what does not fit: shape, serial 0, a lowercase or foreign character', () => {
    const template = IdTemplate.compile();
    expect(template.parse('PAD-V0100-L2025-09-0001')).toEqual({
      ok: false,
      reason: '"PAD-V0100-L2025-09-0001" does not have the shape {type}-{vendor}-{lot}-{serial:5}',
    });
    expect(template.parse('PAD-V0100-L1-00000')).toEqual({
      ok: false,
      reason: 'serial 0 is never issued',
    });
    expect(template.parse('pad-V0100-L1-00001').ok).toBe(false);
    expect(() => template.format({ ...PAD, type: 'pad' })).toThrow(
      new IdValueError('type', 'type "pad" must be 1-16 characters from A-Z 0-9 (not "p")'),
    );
    expect(() => template.format({ ...PAD, lot: '-L1' })).toThrow(/must start and end/);
    expect(() => template.format({ ...PAD, serial: 100_000 })).toThrow(
      'serial 100000 does not fit {serial:5} (1 to 99999)',
    );
  });

  it('adds a check character that catches every single misread and neighbour swap', () => {
    const template = IdTemplate.compile('{type}.{vendor}-{serial:6}{check}');
    const id = template.format({ ...PAD, serial: 4711 });
    expect(id).toMatch(/^PAD\.V0100-004711[0-9A-Z]$/);
    expect(template.parse(id)).toMatchObject({ ok: true, parts: { serial: 4711 } });
    const alphanumerics = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let misreads = 0;
    for (let i = 0; i < id.length - 1; i++) {
      if (id[i] === '-' || id[i] === '.') continue;
      for (const other of alphanumerics) {
        if (other === id[i]) continue;
        const wrong = id.slice(0, i) + other + id.slice(i + 1);
        if (template.parse(wrong).ok) misreads++;
      }
      const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
      if (swapped !== id && !'-.'.includes(id[i + 1]) && template.parse(swapped).ok) misreads++;
    }
    expect(misreads).toBe(0);
    expect(template.parse(id.slice(0, -1) + (id.at(-1) === 'A' ? 'B' : 'A'))).toEqual({
      ok: false,
      reason: `the check character of "${id.slice(0, -1) + (id.at(-1) === 'A' ? 'B' : 'A')}" is wrong`,
    });
  });

  it('matches the ISO 7064 MOD 37,36 reference value', () => {
    // ISO/IEC 7064 example: "A12425GABC1234002" has check character "M".
    expect(checkCharacter('A12425GABC1234002')).toBe('M');
  });

  it('puts the manufacturing date in and keeps a restricted alphabet', () => {
    const template = IdTemplate.compile(
      '{vendor}/{yyyy}{mm}/{serial:4}',
      'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
    );
    expect(template.format({ ...PAD, vendor: 'V2', serial: 7 })).toBe('V2/202501/0007');
    expect(() => template.format({ ...PAD, vendor: 'V0100' })).toThrow(/not "0"/);
    expect(template.parse('V2/202501/0007')).toMatchObject({ ok: true, parts: { vendor: 'V2' } });
    expect(template.parse('V0/202501/0007').ok).toBe(false);
  });

  it('refuses templates it cannot use, naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['{type}-{lot}', /exactly one \{serial:N\}.* has 0/],
      ['{serial:3}-{serial:3}', /has 2/],
      ['{serial}', /width N from 1 to 12/],
      ['{serial:13}', /width N from 1 to 12/],
      ['{model}-{serial:4}', /Unknown field "\{model\}"/],
      ['{type-{serial:4}', /Unknown field|Unbalanced/],
      ['{serial:4}}', /Unbalanced brace/],
      ['{check}{serial:4}', /\{check\} must be the last/],
      ['{lot}-{lot}-{serial:4}', /\{lot\} appears more than once/],
      ['{type}{lot}-{serial:4}', /\{type\} and \{lot\} need a separator/],
    ];
    for (const [template, message] of cases)
      expect(() => IdTemplate.compile(template), template).toThrow(message);
    expect(() => IdTemplate.compile('{serial:4}', 'abc')).toThrow(IdTemplateError);
  });
});
