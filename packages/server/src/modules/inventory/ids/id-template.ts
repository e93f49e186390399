/**
 * The ID-schema engine: a tenant's declarative template for component IDs, such as
 * `{type}-{vendor}-{lot}-{serial:5}` (the default, giving `PAD-V0100-L2025-09-00001`), turned
 * into a formatter and a parser. Parsing is how a scanned code is checked: an ID that does not
 * fit the template, or whose check character is wrong, is named invalid with the reason.
 *
 * Fields: {type} and {vendor} (1-16 characters of the alphabet), {lot} (1-32 characters of the
 * alphabet and - . /, starting and ending with the alphabet), {serial:N} (N digits, zero-padded;
 * exactly one), {check} (ISO 7064 MOD 37,36 over the characters before it), and the
 * manufacturing date's {yyyy}, {yy}, {mm}. Anything else is literal text.
 */
import { checkCharacter } from './check-character.js';

export const DEFAULT_TEMPLATE = '{type}-{vendor}-{lot}-{serial:5}';
export const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export interface IdParts {
  type: string;
  vendor: string;
  lot: string;
  serial: number;
  /** Manufacturing date, yyyy-mm-dd (for the date fields). */
  date?: string;
}

/** The template itself is wrong: `message` names what and where. */
export class IdTemplateError extends Error {
  override name = 'IdTemplateError';
}

/** A value does not fit the template: `field` names which. */
export class IdValueError extends Error {
  override name = 'IdValueError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'type' | 'vendor' | 'lot' | 'check' | 'yyyy' | 'yy' | 'mm' }
  | { kind: 'serial'; width: number };

const LIMITS = { type: 16, vendor: 16, lot: 32 } as const;

export class IdTemplate {
  readonly maxSerial: number;
  private readonly tokens: Token[];
  private readonly pattern: RegExp;

  private constructor(
    readonly template: string,
    readonly alphabet: string,
  ) {
    this.tokens = tokenize(template);
    const serials = this.tokens.filter((t) => t.kind === 'serial');
    if (serials.length !== 1)
      throw new IdTemplateError(
        `The template needs exactly one {serial:N} field; "${template}" has ${serials.length}`,
      );
    for (const kind of ['type', 'vendor', 'lot', 'check'] as const)
      if (this.tokens.filter((t) => t.kind === kind).length > 1)
        throw new IdTemplateError(`{${kind}} appears more than once in "${template}"`);
    const text = (t: Token | undefined) => t && ['type', 'vendor', 'lot'].includes(t.kind);
    const touching = this.tokens.findIndex((t, i) => text(t) && text(this.tokens[i + 1]));
    if (touching >= 0)
      throw new IdTemplateError(
        `{${this.tokens[touching].kind}} and {${this.tokens[touching + 1].kind}} need a separator between them, or IDs cannot be read back`,
      );
    const check = this.tokens.findIndex((t) => t.kind === 'check');
    if (check >= 0 && check !== this.tokens.length - 1)
      throw new IdTemplateError('{check} must be the last field of the template');
    this.maxSerial = 10 ** (serials[0] as { width: number }).width - 1;
    this.pattern = new RegExp(`^${this.tokens.map((t) => this.regex(t)).join('')}$`);
  }

  /** Compiles a template; throws IdTemplateError naming the problem. */
  static compile(template = DEFAULT_TEMPLATE, alphabet = DEFAULT_ALPHABET): IdTemplate {
    if (!/^[A-Z0-9]+$/.test(alphabet) || new Set(alphabet).size !== alphabet.length)
      throw new IdTemplateError(
        `The alphabet must be distinct characters from A-Z and 0-9 (got "${alphabet}")`,
      );
    return new IdTemplate(template, alphabet);
  }

  /** Checks one field's value; throws IdValueError naming the field. */
  check(field: 'type' | 'vendor' | 'lot', value: string): void {
    const letters = new Set(this.alphabet);
    const inner = field === 'lot' ? '-./' : '';
    const chars = [...value];
    const bad = chars.find((c) => !letters.has(c) && !inner.includes(c));
    if (!value || value.length > LIMITS[field] || bad !== undefined)
      throw new IdValueError(
        field,
        `${field} "${value}" must be 1-${LIMITS[field]} characters from ${this.describeAlphabet()}${inner ? ` and ${inner.split('').join(' ')}` : ''}${bad !== undefined ? ` (not "${bad}")` : ''}`,
      );
    if (inner && (!letters.has(chars[0]) || !letters.has(chars.at(-1)!)))
      throw new IdValueError(
        field,
        `${field} "${value}" must start and end with a letter or digit`,
      );
  }

  /** The ID of these parts; throws IdValueError naming the field that does not fit. */
  format(parts: IdParts): string {
    let id = '';
    for (const token of this.tokens) {
      switch (token.kind) {
        case 'literal':
          id += token.text;
          break;
        case 'type':
        case 'vendor':
        case 'lot':
          this.check(token.kind, parts[token.kind]);
          id += parts[token.kind];
          break;
        case 'serial':
          if (!Number.isInteger(parts.serial) || parts.serial < 1 || parts.serial > this.maxSerial)
            throw new IdValueError(
              'serial',
              `serial ${parts.serial} does not fit {serial:${token.width}} (1 to ${this.maxSerial})`,
            );
          id += String(parts.serial).padStart(token.width, '0');
          break;
        case 'check':
          id += checkCharacter(id);
          break;
        default:
          id += datePart(token.kind, parts.date);
      }
    }
    return id;
  }

  /**
   * Reads an ID back into its parts, or says why it is not one of ours: the shape, or a check
   * character that does not match (a misread or a forged ID).
   */
  parse(
    id: string,
  ): { ok: true; parts: Partial<IdParts> & { serial: number } } | { ok: false; reason: string } {
    const match = this.pattern.exec(id);
    if (!match?.groups)
      return { ok: false, reason: `"${id}" does not have the shape ${this.template}` };
    const { type, vendor, lot, serial, check } = match.groups;
    if (check !== undefined && checkCharacter(id.slice(0, -1)) !== check)
      return { ok: false, reason: `the check character of "${id}" is wrong` };
    const value = Number(serial);
    if (value < 1) return { ok: false, reason: `serial 0 is never issued` };
    return { ok: true, parts: { type, vendor, lot, serial: value } };
  }

  private describeAlphabet(): string {
    return this.alphabet === DEFAULT_ALPHABET ? 'A-Z 0-9' : `"${this.alphabet}"`;
  }

  private regex(token: Token): string {
    const letters = `[${escapeClass(this.alphabet)}]`;
    switch (token.kind) {
      case 'literal':
        return escapeRegex(token.text);
      case 'type':
      case 'vendor':
        return `(?<${token.kind}>${letters}{1,${LIMITS[token.kind]}})`;
      case 'lot':
        return `(?<lot>${letters}(?:[${escapeClass(this.alphabet)}\\-./]{0,30}${letters})?)`;
      case 'serial':
        return `(?<serial>\\d{${token.width}})`;
      case 'check':
        return '(?<check>[0-9A-Z])';
      case 'yyyy':
        return '\\d{4}';
      default:
        return '\\d{2}';
    }
  }
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const field = /\{([^{}]*)\}/g;
  let at = 0;
  for (const match of template.matchAll(field)) {
    if (match.index > at) tokens.push({ kind: 'literal', text: template.slice(at, match.index) });
    at = match.index + match[0].length;
    const [name, width] = match[1].split(':');
    if (name === 'serial') {
      const digits = Number(width);
      if (!Number.isInteger(digits) || digits < 1 || digits > 12)
        throw new IdTemplateError(`{serial:N} needs a width N from 1 to 12 (got "{${match[1]}}")`);
      tokens.push({ kind: 'serial', width: digits });
    } else if (['type', 'vendor', 'lot', 'check', 'yyyy', 'yy', 'mm'].includes(name) && !width) {
      tokens.push({ kind: name as 'type' });
    } else {
      throw new IdTemplateError(
        `Unknown field "{${match[1]}}" in "${template}": use {type}, {vendor}, {lot}, {serial:N}, {check}, {yyyy}, {yy}, {mm}`,
      );
    }
  }
  if (at < template.length) tokens.push({ kind: 'literal', text: template.slice(at) });
  const stray = tokens.find((t) => t.kind === 'literal' && /[{}]/.test(t.text));
  if (stray) throw new IdTemplateError(`Unbalanced brace in "${template}"`);
  if (template.length > 100)
    throw new IdTemplateError('The template is longer than 100 characters');
  return tokens;
}

function datePart(kind: 'yyyy' | 'yy' | 'mm' | 'type', date: string | undefined): string {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new IdValueError(
      'manufacturing_date',
      `{${kind}} needs the manufacturing date (yyyy-mm-dd)`,
    );
  return kind === 'yyyy' ? date.slice(0, 4) : kind === 'yy' ? date.slice(2, 4) : date.slice(5, 7);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const escapeClass = (text: string) => text.replace(/[\]\\^-]/g, '\\$&');
