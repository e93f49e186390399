/**
 * Payload builders: the text a QR code should carry for each content type, validated and escaped
 * as the reading apps expect. Each throws QrArgumentError naming the field when a value is wrong.
 */
import { QrArgumentError } from '../errors.js';
import { escapeMeCard, escapeText } from './escape.js';

function required(field: string, value: string | undefined, max = 4096): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new QrArgumentError(field, value, 'a non-empty string');
  if (value.length > max) throw new QrArgumentError(field, value, `at most ${max} characters`);
  return value;
}

function optional(field: string, value: string | undefined, max = 4096): string | undefined {
  return value === undefined || value === '' ? undefined : required(field, value, max);
}

/** An absolute http(s) URL, normalised by the WHATWG URL parser. */
export function urlPayload(url: string): string {
  required('url', url);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new QrArgumentError('url', url, 'an absolute URL such as https://example.com/');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new QrArgumentError('url', url, 'an http: or https: URL');
  }
  return parsed.href;
}

export function textPayload(text: string): string {
  return required('text', text, 7089);
}

export interface WifiPayload {
  ssid: string;
  password?: string;
  /** WPA covers WPA/WPA2/WPA3 personal; nopass for open networks. */
  encryption?: 'WPA' | 'WEP' | 'nopass';
  hidden?: boolean;
}

/** `WIFI:T:WPA;S:<ssid>;P:<password>;H:true;;` as read by Android and iOS cameras. */
export function wifiPayload({
  ssid,
  password,
  encryption = 'WPA',
  hidden = false,
}: WifiPayload): string {
  required('wifi.ssid', ssid);
  if (new TextEncoder().encode(ssid).length > 32)
    throw new QrArgumentError('wifi.ssid', ssid, 'at most 32 bytes (IEEE 802.11)');
  if (!['WPA', 'WEP', 'nopass'].includes(encryption)) {
    throw new QrArgumentError('wifi.encryption', encryption, "one of 'WPA', 'WEP', 'nopass'");
  }
  let out = `WIFI:T:${encryption};S:${escapeMeCard(ssid)};`;
  if (encryption !== 'nopass') {
    const secret = password ?? '';
    // The value itself is never echoed in errors: it is a secret.
    const shown = `${secret.length} characters`;
    if (encryption === 'WPA' && !/^(?:[\x20-\x7e]{8,63}|[0-9a-fA-F]{64})$/.test(secret)) {
      throw new QrArgumentError(
        'wifi.password',
        shown,
        '8-63 printable ASCII characters or 64 hex digits (WPA)',
      );
    }
    if (
      encryption === 'WEP' &&
      !/^(?:[\x20-\x7e]{5}|[\x20-\x7e]{13}|[\x20-\x7e]{16}|[0-9a-fA-F]{10}|[0-9a-fA-F]{26}|[0-9a-fA-F]{32})$/.test(
        secret,
      )
    ) {
      throw new QrArgumentError(
        'wifi.password',
        shown,
        '5, 13 or 16 characters, or 10, 26 or 32 hex digits (WEP)',
      );
    }
    out += `P:${escapeMeCard(secret)};`;
  }
  if (hidden) out += 'H:true;';
  return out + ';';
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;
const PHONE = /^\+?[0-9][0-9 ()\-.]{1,30}$/;

function email(field: string, value: string): string {
  if (typeof value !== 'string' || !EMAIL.test(value))
    throw new QrArgumentError(field, value, 'an e-mail address');
  return value;
}

function phone(field: string, value: string): string {
  if (typeof value !== 'string' || !PHONE.test(value.trim())) {
    throw new QrArgumentError(
      field,
      value,
      'a phone number: digits, optional leading +, spaces ( ) - .',
    );
  }
  return value.trim().replace(/[ ()\-.]/g, '');
}

export interface EmailPayload {
  to: string;
  subject?: string;
  body?: string;
  cc?: string;
  bcc?: string;
}

/** RFC 6068 mailto: URI. */
export function emailPayload({ to, subject, body, cc, bcc }: EmailPayload): string {
  const query: string[] = [];
  if (cc) query.push(`cc=${encodeURIComponent(email('email.cc', cc))}`);
  if (bcc) query.push(`bcc=${encodeURIComponent(email('email.bcc', bcc))}`);
  if (optional('email.subject', subject, 998))
    query.push(`subject=${encodeURIComponent(subject!)}`);
  if (optional('email.body', body)) query.push(`body=${encodeURIComponent(body!)}`);
  return `mailto:${email('email.to', to)}` + (query.length ? `?${query.join('&')}` : '');
}

export interface SmsPayload {
  phone: string;
  message?: string;
}

/** `SMSTO:<number>:<message>`, the form phone cameras open in the messages app. */
export function smsPayload({ phone: number, message }: SmsPayload): string {
  return `SMSTO:${phone('sms.phone', number)}:${optional('sms.message', message, 1600) ?? ''}`;
}

/** RFC 3966 tel: URI. */
export function telPayload(number: string): string {
  return `tel:${phone('tel', number)}`;
}

export interface GeoPayload {
  latitude: number;
  longitude: number;
  altitude?: number;
}

/** RFC 5870 geo: URI. */
export function geoPayload({ latitude, longitude, altitude }: GeoPayload): string {
  if (typeof latitude !== 'number' || !(latitude >= -90 && latitude <= 90)) {
    throw new QrArgumentError('geo.latitude', latitude, 'a number [-90..90]');
  }
  if (typeof longitude !== 'number' || !(longitude >= -180 && longitude <= 180)) {
    throw new QrArgumentError('geo.longitude', longitude, 'a number [-180..180]');
  }
  if (altitude !== undefined && !Number.isFinite(altitude))
    throw new QrArgumentError('geo.altitude', altitude, 'a finite number');
  return `geo:${latitude},${longitude}` + (altitude === undefined ? '' : `,${altitude}`);
}

export interface ContactPayload {
  firstName?: string;
  lastName?: string;
  organization?: string;
  title?: string;
  phone?: string;
  mobile?: string;
  email?: string;
  url?: string;
  /** Street, city, region, postal code, country. */
  address?: {
    street?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country?: string;
  };
  note?: string;
}

function contactName(c: ContactPayload): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  if (!name && !c.organization)
    throw new QrArgumentError('contact.firstName', c.firstName, 'a name or an organization');
  return name || c.organization!;
}

/** vCard 3.0 (RFC 2426), CRLF line ends. */
export function vcardPayload(c: ContactPayload): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0'];
  const name = contactName(c);
  lines.push(
    `N:${escapeText(c.lastName ?? '')};${escapeText(c.firstName ?? '')};;;`,
    `FN:${escapeText(name)}`,
  );
  if (c.organization) lines.push(`ORG:${escapeText(c.organization)}`);
  if (c.title) lines.push(`TITLE:${escapeText(c.title)}`);
  if (c.phone) lines.push(`TEL;TYPE=WORK,VOICE:${phone('contact.phone', c.phone)}`);
  if (c.mobile) lines.push(`TEL;TYPE=CELL:${phone('contact.mobile', c.mobile)}`);
  if (c.email) lines.push(`EMAIL;TYPE=INTERNET:${email('contact.email', c.email)}`);
  if (c.url) lines.push(`URL:${urlPayload(c.url)}`);
  if (c.address) {
    const a = c.address;
    const parts = ['', '', a.street, a.city, a.region, a.postalCode, a.country].map((p) =>
      escapeText(p ?? ''),
    );
    lines.push(`ADR;TYPE=WORK:${parts.join(';')}`);
  }
  if (c.note) lines.push(`NOTE:${escapeText(c.note)}`);
  lines.push('END:VCARD');
  return lines.join('\r\n');
}

/** MeCard (NTT DoCoMo), shorter than vCard, understood by phone cameras. */
export function mecardPayload(c: ContactPayload): string {
  contactName(c);
  const fields: string[] = [];
  const name =
    c.lastName && c.firstName
      ? `${escapeMeCard(c.lastName)},${escapeMeCard(c.firstName)}`
      : escapeMeCard(c.lastName ?? c.firstName ?? c.organization!);
  fields.push(`N:${name}`);
  if (c.organization) fields.push(`ORG:${escapeMeCard(c.organization)}`);
  if (c.phone) fields.push(`TEL:${phone('contact.phone', c.phone)}`);
  if (c.mobile) fields.push(`TEL:${phone('contact.mobile', c.mobile)}`);
  if (c.email) fields.push(`EMAIL:${escapeMeCard(email('contact.email', c.email))}`);
  if (c.url) fields.push(`URL:${escapeMeCard(urlPayload(c.url))}`);
  if (c.address) {
    const a = c.address;
    fields.push(
      `ADR:${escapeMeCard([a.street, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', '))}`,
    );
  }
  if (c.note) fields.push(`NOTE:${escapeMeCard(c.note)}`);
  return `MECARD:${fields.join(';')};;`;
}

export interface EventPayload {
  summary: string;
  /** ISO 8601 date-time (or date when allDay). */
  start: string | Date;
  end?: string | Date;
  allDay?: boolean;
  location?: string;
  description?: string;
}

/** iCalendar VEVENT (RFC 5545), times in UTC. */
export function eventPayload(e: EventPayload): string {
  required('event.summary', e.summary, 255);
  const start = toDate('event.start', e.start);
  const end = e.end === undefined ? undefined : toDate('event.end', e.end);
  if (end && end < start) throw new QrArgumentError('event.end', e.end, 'a time after event.start');
  const stamp = (d: Date) =>
    e.allDay
      ? `;VALUE=DATE:${d.toISOString().slice(0, 10).replace(/-/g, '')}`
      : `:${d
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '')}`;
  const lines = ['BEGIN:VEVENT', `SUMMARY:${escapeText(e.summary)}`, `DTSTART${stamp(start)}`];
  if (end) lines.push(`DTEND${stamp(end)}`);
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  lines.push('END:VEVENT');
  return lines.join('\r\n');
}

function toDate(field: string, value: string | Date): Date {
  const d =
    value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime()))
    throw new QrArgumentError(field, value, 'an ISO 8601 date or date-time');
  return d;
}
