/** Escaping shared by the payload formats. */

/** Wi-Fi and MeCard (ZXing's de-facto spec): backslash-escape \ ; , : and ". */
export function escapeMeCard(value: string): string {
  return value.replace(/([\\;,:"])/g, '\\$1');
}

/** vCard 3.0 (RFC 2426 5.8.4) and iCalendar (RFC 5545 3.3.11) text values. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}
