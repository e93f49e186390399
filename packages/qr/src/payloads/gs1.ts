/**
 * GS1 Digital Link URIs (GS1 Digital Link Standard 1.4): a product's GTIN with optional lot (AI 10),
 * serial (AI 21) and expiry date (AI 17) as a web address any phone opens.
 */
import { QrArgumentError } from '../errors.js';

export interface Gs1DigitalLinkPayload {
  /** GTIN-8, -12, -13 or -14, check digit included. */
  gtin: string;
  lot?: string;
  serial?: string;
  /** Expiry date, YYYY-MM-DD or YYMMDD. */
  expiry?: string;
  /** Resolver domain; default the GS1 global resolver. */
  domain?: string;
}

/** GS1 General Specifications 7.9.1: mod-10 check digit, weights 3 and 1 from the right. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = digits.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight)
    sum += Number(digits[i]) * weight;
  return (10 - (sum % 10)) % 10;
}

/** GS1 AI encodable character set 82 (General Specifications Figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

export function gs1DigitalLinkPayload({
  gtin,
  lot,
  serial,
  expiry,
  domain = 'https://id.gs1.org',
}: Gs1DigitalLinkPayload): string {
  if (typeof gtin !== 'string' || !/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) {
    throw new QrArgumentError('gs1.gtin', gtin, 'a GTIN of 8, 12, 13 or 14 digits');
  }
  const gtin14 = gtin.padStart(14, '0');
  const expected = gs1CheckDigit(gtin14.slice(0, 13));
  if (Number(gtin14[13]) !== expected) {
    throw new QrArgumentError(
      'gs1.gtin',
      gtin,
      `a valid check digit (${expected} for these digits)`,
    );
  }
  let base: URL;
  try {
    base = new URL(domain);
  } catch {
    throw new QrArgumentError('gs1.domain', domain, 'an https: URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new QrArgumentError('gs1.domain', domain, 'an https: URL');
  let path = `/01/${gtin14}`;
  if (lot !== undefined) {
    if (!CSET82.test(lot))
      throw new QrArgumentError('gs1.lot', lot, '1-20 characters of GS1 character set 82');
    path += `/10/${encodeURIComponent(lot)}`;
  }
  if (serial !== undefined) {
    if (!CSET82.test(serial))
      throw new QrArgumentError('gs1.serial', serial, '1-20 characters of GS1 character set 82');
    path += `/21/${encodeURIComponent(serial)}`;
  }
  let query = '';
  if (expiry !== undefined) {
    const m = /^(?:\d{2}(\d{2})-(\d{2})-(\d{2})|(\d{2})(\d{2})(\d{2}))$/.exec(expiry);
    const yymmdd = m ? (m[1] ? m[1] + m[2] + m[3] : m[4] + m[5] + m[6]) : '';
    const month = Number(yymmdd.slice(2, 4));
    const day = Number(yymmdd.slice(4, 6));
    if (!m || month < 1 || month > 12 || day > 31)
      throw new QrArgumentError('gs1.expiry', expiry, 'a date YYYY-MM-DD or YYMMDD');
    query = `?17=${yymmdd}`;
  }
  return base.origin + base.pathname.replace(/\/$/, '') + path + query;
}
