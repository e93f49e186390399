/**
 * @qrforge/qr/payloads — the text to encode for each content type. Platform-neutral.
 */
export * from './payloads.js';
export * from './gs1.js';
export { escapeMeCard, escapeText } from './escape.js';
import { QrArgumentError } from '../errors.js';
import * as p from './payloads.js';
import { gs1DigitalLinkPayload, type Gs1DigitalLinkPayload } from './gs1.js';

/** One payload of any type, as the API and the web page send it. */
export type Payload =
  | { type: 'url'; url: string }
  | { type: 'text'; text: string }
  | ({ type: 'wifi' } & p.WifiPayload)
  | ({ type: 'vcard' } & p.ContactPayload)
  | ({ type: 'mecard' } & p.ContactPayload)
  | ({ type: 'email' } & p.EmailPayload)
  | ({ type: 'sms' } & p.SmsPayload)
  | { type: 'tel'; phone: string }
  | ({ type: 'geo' } & p.GeoPayload)
  | ({ type: 'event' } & p.EventPayload)
  | ({ type: 'gs1' } & Gs1DigitalLinkPayload);

export const PAYLOAD_TYPES = [
  'url',
  'text',
  'wifi',
  'vcard',
  'mecard',
  'email',
  'sms',
  'tel',
  'geo',
  'event',
  'gs1',
] as const;

export function buildPayload(payload: Payload): string {
  switch (payload.type) {
    case 'url':
      return p.urlPayload(payload.url);
    case 'text':
      return p.textPayload(payload.text);
    case 'wifi':
      return p.wifiPayload(payload);
    case 'vcard':
      return p.vcardPayload(payload);
    case 'mecard':
      return p.mecardPayload(payload);
    case 'email':
      return p.emailPayload(payload);
    case 'sms':
      return p.smsPayload(payload);
    case 'tel':
      return p.telPayload(payload.phone);
    case 'geo':
      return p.geoPayload(payload);
    case 'event':
      return p.eventPayload(payload);
    case 'gs1':
      return gs1DigitalLinkPayload(payload);
    default:
      throw new QrArgumentError(
        'type',
        (payload as { type: unknown }).type,
        `one of ${PAYLOAD_TYPES.join(', ')}`,
      );
  }
}
