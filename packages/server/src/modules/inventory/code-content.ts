/**
 * What a component's QR code encodes, as the tenant chooses:
 *  - `uid`: the UID itself (default; what a scanner on the line reads and parses);
 *  - `url`: the tenant's public item URL, `<base>/i/<uid>`, so a phone opens a page;
 *  - `gs1`: a GS1 Digital Link URI, `<base>/01/<gtin>/10/<lot>/21/<serial>`, with the GTIN of
 *    the component type (GS1 General Specifications; Digital Link URI Syntax 1.x).
 * Each item keeps the content it was made with: changing the choice affects new items only.
 */

export const CODE_CONTENTS = ['uid', 'url', 'gs1'] as const;
export type CodeContentMode = (typeof CODE_CONTENTS)[number];

export interface CodeContentSetting {
  mode: CodeContentMode;
  /** Scheme and host (and optional path) for `url` and `gs1`; no trailing slash. */
  baseUrl: string | null;
  /** URL forms carry the item's signature (`?s=`, see item-signature.ts). */
  signed?: boolean;
}

export const UID_CONTENT: CodeContentSetting = { mode: 'uid', baseUrl: null };

/** Why the GTIN is not one, or undefined. GTIN-8, -12, -13 or -14 with a valid check digit. */
export function gtinProblem(gtin: string): string | undefined {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin))
    return `GTIN "${gtin}" must be 8, 12, 13 or 14 digits`;
  const digits = [...gtin.padStart(14, '0')].map(Number);
  // GS1 mod-10: from the right (check digit excluded), weights 3, 1, 3, 1, ...
  const sum = digits.slice(0, 13).reduce((total, d, i) => total + d * (i % 2 === 0 ? 3 : 1), 0);
  const check = (10 - (sum % 10)) % 10;
  return check === digits[13]
    ? undefined
    : `GTIN "${gtin}" has a wrong check digit (${digits[13]}; expected ${check})`;
}

/** A base URL for codes: absolute http(s), no query or fragment; returned without trailing /. */
export function baseUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `the code base URL must be http or https, not ${url.protocol}`;
  if (url.search || url.hash || url.username)
    return 'the code base URL must have no query, fragment or credentials';
  return undefined;
}

/** Signs a UID for a tenant (ItemSigner bound to the tenant), for signed URL contents. */
export type UidSigner = (uid: string) => string;

export function contentFor(
  setting: CodeContentSetting,
  item: { uid: string; lot: string; serial: number },
  gtin: string | null,
  sign?: UidSigner,
): string {
  const base = (setting.baseUrl ?? '').replace(/\/+$/, '');
  if (setting.mode === 'uid') return item.uid;
  const signature = setting.signed ? `?s=${sign ? sign(item.uid) : missingSigner()}` : '';
  switch (setting.mode) {
    case 'url':
      return `${base}/i/${encodeURIComponent(item.uid)}${signature}`;
    case 'gs1':
      // Lot (AI 10) and serial (AI 21) are percent-encoded as the Digital Link syntax requires.
      return `${base}/01/${gtin!.padStart(14, '0')}/10/${encodeURIComponent(item.lot)}/21/${item.serial}${signature}`;
  }
}

function missingSigner(): never {
  throw new Error('signed code contents need the item signer');
}
