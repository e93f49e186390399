/**
 * The generator's payload types and their form fields. The engine's payload builders do the
 * validation (the same code the server runs), so a message next to a field is the server's rule.
 */
import type { Payload } from '@qrforge/qr/payloads';

export interface Field {
  name: string;
  label: string;
  required?: boolean;
  kind?: 'text' | 'password' | 'textarea' | 'number' | 'select';
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
    else if (value !== '' || field.required) payload[field.name] = value;
  }
  return payload as unknown as Payload;
}
