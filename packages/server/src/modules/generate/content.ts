/**
 * What a request encodes: raw `data`, or a structured `payload` turned into text by the engine's
 * payload builders. Also the one-line summary shown in history, which leaves secrets out.
 */
import { buildPayload, type Payload } from '@qrforge/qr/payloads';
import { AppError } from '../../errors.js';
import type { CodeRequest } from './schemas.js';

export interface Content {
  text: string;
  payloadType: string;
  summary: string;
}

const SUMMARY_MAX = 120;

export function resolveContent(request: Pick<CodeRequest, 'data' | 'payload'>): Content {
  if (request.data !== undefined && request.payload !== undefined)
    throw new AppError('VALIDATION_ERR_REQUEST', 'Send either data or payload, not both', {
      errors: [{ field: 'body.payload', message: 'cannot be combined with data' }],
    });
  if (request.payload) {
    const payload = request.payload as Payload;
    return { text: buildPayload(payload), payloadType: payload.type, summary: summarize(payload) };
  }
  if (request.data === undefined || request.data === '')
    throw new AppError('VALIDATION_ERR_REQUEST', 'body.data must not be empty (or send payload)', {
      errors: [{ field: 'body.data', message: 'must not be empty' }],
    });
  return { text: request.data, payloadType: 'raw', summary: clip(request.data) };
}

function summarize(p: Payload): string {
  switch (p.type) {
    case 'url':
      return clip(p.url);
    case 'text':
      return clip(p.text);
    case 'wifi':
      return clip(`Wi-Fi ${p.ssid}`); // never the password
    case 'vcard':
    case 'mecard':
      return clip(
        [p.firstName, p.lastName].filter(Boolean).join(' ') || p.organization || 'Contact',
      );
    case 'email':
      return clip(`E-mail to ${p.to}`);
    case 'sms':
      return clip(`SMS to ${p.phone}`);
    case 'tel':
      return clip(`Call ${p.phone}`);
    case 'geo':
      return `Location ${p.latitude}, ${p.longitude}`;
    case 'event':
      return clip(`Event ${p.summary}`);
    case 'gs1':
      return clip(
        `GTIN ${p.gtin}${p.lot ? ` lot ${p.lot}` : ''}${p.serial ? ` serial ${p.serial}` : ''}`,
      );
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > SUMMARY_MAX ? `${oneLine.slice(0, SUMMARY_MAX - 1)}…` : oneLine;
}
