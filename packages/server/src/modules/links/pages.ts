/**
 * The small pages a person sees when a code cannot take them anywhere: plain HTML, no script, every
 * value escaped, readable on a phone.
 */
const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1b1e}
h1{font-size:1.4rem}.notice{border-left:4px solid #c92a2a;padding:.5rem 1rem;background:#fff5f5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
@media (prefers-color-scheme:dark){body{background:#1a1b1e;color:#e9ecef}.notice{background:#3b1219}}</style>
</head><body>${body}</body></html>`;
}

export { escape as escapeHtml };

const MESSAGES = {
  disabled: ['This code is switched off', 'Its owner has switched this code off.'],
  expired: ['This code has expired', 'This code was valid for a limited time, which is over.'],
  'not-yet': ['This code is not active yet', 'This code starts working later.'],
  'not-found': ['Unknown code', 'No code of ours has this address. Check that it was read whole.'],
} as const;

export function statusPage(kind: keyof typeof MESSAGES, detail?: string): string {
  const [title, text] = MESSAGES[kind];
  return page(
    title,
    `<h1>${escape(title)}</h1><p>${escape(text)}</p>${detail ? `<p>${escape(detail)}</p>` : ''}`,
  );
}

/** A person's browser asks for HTML; an app or script that asks for JSON gets problem+json. */
export function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /json/.test(accept) && !accept.includes('text/html');
}

/** The status page's message, for problem+json answers. */
export function statusMessage(kind: keyof typeof MESSAGES): string {
  return MESSAGES[kind].join(': ');
}
