/** The public item page and its warranty form: plain HTML, every value escaped, no script. */
import { escapeHtml as e, page } from './pages.js';
import type { PublicItemPage } from './public-items.js';

export function itemPage(p: PublicItemPage, formAction: string, notice?: string): string {
  const title = p.maker ? `${p.maker}: ${p.uid}` : p.uid;
  const recall = p.recall
    ? `<div class="notice" role="alert"><h2>Recall notice</h2><p>${e(p.recall.message)}</p>
<p>Issued ${e(p.recall.since.slice(0, 10))}.</p></div>`
    : '';
  const fields = p.fields.map((f) => `<dt>${e(f.label)}</dt><dd>${e(f.value)}</dd>`).join('');
  const contact = [
    p.settings.contactEmail &&
      `<a href="mailto:${e(p.settings.contactEmail)}">${e(p.settings.contactEmail)}</a>`,
    p.settings.contactUrl &&
      `<a href="${e(p.settings.contactUrl)}">${e(p.settings.contactUrl)}</a>`,
  ]
    .filter(Boolean)
    .join(' · ');
  const form = !p.settings.warrantyRegistration
    ? ''
    : p.registeredAt
      ? `<p>The warranty of this part is registered.</p>`
      : `<h2>Register your warranty</h2>
<form method="post" action="${e(formAction)}">
<p><label>E-mail <input type="email" name="email" required maxlength="254" autocomplete="email"></label></p>
<p><label>Date of purchase <input type="date" name="purchaseDate" required></label></p>
<p><button type="submit">Register</button></p></form>`;
  return page(
    title,
    `${notice ? `<p role="status"><strong>${e(notice)}</strong></p>` : ''}
<h1>${e(p.maker || 'Part')}</h1><p>${e(p.uid)}</p>${recall}<dl>${fields}</dl>${form}
${contact ? `<p>Contact: ${contact}</p>` : ''}`,
  );
}

export function forgedPage(): string {
  return page(
    'Code not recognised',
    `<h1>This code could not be verified</h1>
<p>The code on this part was not issued by its maker, or it was copied wrongly. Please contact the
seller or the maker before relying on this part.</p>`,
  );
}

export function unknownItemPage(): string {
  return page(
    'Unknown part',
    '<h1>Unknown part</h1><p>No part of ours has this code. Check that it was read whole.</p>',
  );
}
