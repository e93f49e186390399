/**
 * The generator's payload types and their form fields. The engine's payload builders do the
 * validation (the same code the server runs), so a message next to a field is the server's rule.
 */
import type { Payload } from '@qrforge/qr/payloads';

export interface Field {
  name: string;
  label: string;
  required?: boolean;
  kind?: 'text' | 'password' | 'textarea' | 'number' | 'select' | 'datetime';
  options?: { value: string; label: string }[];
  placeholder?: string;
}

export const PAYLOAD_FORMS: Record<string, { label: string; fields: Field[] }> = {
  url: {
    label: 'Web address',
    fields: [{ name: 'url', label: 'URL', required: true, placeholder: 'https://example.com' }],
  },
  text: {
    label: 'Text',
    fields: [{ name: 'text', label: 'Text', required: true, kind: 'textarea' }],
  },
  wifi: {
    label: 'Wi-Fi',
    fields: [
      { name: 'ssid', label: 'Network name (SSID)', required: true },
      { name: 'password', label: 'Password', kind: 'password' },
      {
        name: 'encryption',
        label: 'Security',
        kind: 'select',
        options: [
          { value: 'WPA', label: 'WPA/WPA2/WPA3' },
          { value: 'WEP', label: 'WEP' },
          { value: 'nopass', label: 'None' },
        ],
      },
    ],
  },
  email: {
    label: 'E-mail',
    fields: [
      { name: 'to', label: 'To', required: true, placeholder: 'someone@example.com' },
      { name: 'subject', label: 'Subject' },
      { name: 'body', label: 'Message', kind: 'textarea' },
    ],
  },
  sms: {
    label: 'SMS',
    fields: [
      { name: 'phone', label: 'Phone number', required: true, placeholder: '+44 20 7946 0000' },
      { name: 'message', label: 'Message', kind: 'textarea' },
    ],
  },
  tel: {
    label: 'Phone',
    fields: [{ name: 'phone', label: 'Phone number', required: true, placeholder: '+1 555 0100' }],
  },
  vcard: {
    label: 'Contact (vCard)',
    fields: [
      { name: 'firstName', label: 'First name' },
      { name: 'lastName', label: 'Last name' },
      { name: 'organization', label: 'Organisation' },
      { name: 'title', label: 'Job title' },
      { name: 'phone', label: 'Phone' },
      { name: 'email', label: 'E-mail' },
      { name: 'url', label: 'Website' },
    ],
  },
  event: {
    label: 'Calendar event',
    fields: [
      { name: 'summary', label: 'Title', required: true },
      { name: 'start', label: 'Starts', required: true, kind: 'datetime' },
      { name: 'end', label: 'Ends', kind: 'datetime' },
      { name: 'location', label: 'Place' },
    ],
  },
  gs1: {
    label: 'GS1 Digital Link',
    fields: [
      {
        name: 'gtin',
        label: 'GTIN (with check digit)',
        required: true,
        placeholder: '09506000134352',
      },
      { name: 'lot', label: 'Batch or lot' },
      { name: 'serial', label: 'Serial number' },
      { name: 'expiry', label: 'Expiry (YYYY-MM-DD)', placeholder: '2027-12-31' },
    ],
  },
  geo: {
    label: 'Location',
    fields: [
      { name: 'latitude', label: 'Latitude', required: true, kind: 'number' },
      { name: 'longitude', label: 'Longitude', required: true, kind: 'number' },
    ],
  },
};

export type PayloadType = keyof typeof PAYLOAD_FORMS;

/** The payload object for the engine and the API, from the form's string values. */
export function toPayload(type: PayloadType, values: Record<string, string>): Payload {
  const fields = PAYLOAD_FORMS[type].fields;
  const payload: Record<string, unknown> = { type };
  for (const field of fields) {
    const value = values[field.name] ?? '';
    if (field.kind === 'number') payload[field.name] = value === '' ? undefined : Number(value);
    // <input type="datetime-local"> gives local time without a zone; the engine wants ISO 8601.
    else if (field.kind === 'datetime')
      payload[field.name] =
        value === '' ? (field.required ? '' : undefined) : new Date(value).toISOString();
    else if (value !== '' || field.required) payload[field.name] = value;
  }
  return payload as unknown as Payload;
}
