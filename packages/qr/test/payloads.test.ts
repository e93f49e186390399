/**
 * Payload builders: exact output per format, escaping, validation errors naming the field, and a
 * round trip through ZXing for each type.
 */
import { describe, expect, it } from 'vitest';
import { encodeText, QrArgumentError } from '../src/index.js';
import { buildPayload, gs1CheckDigit, PAYLOAD_TYPES, type Payload } from '../src/payloads/index.js';
import { renderPng } from '../src/render/png.js';
import { decodeQr } from './helpers/zxing.js';

const EXAMPLES: Record<(typeof PAYLOAD_TYPES)[number], [Payload, string]> = {
  url: [{ type: 'url', url: 'https://Example.com/a b' }, 'https://example.com/a%20b'],
  text: [{ type: 'text', text: 'hello, world' }, 'hello, world'],
  wifi: [
    { type: 'wifi', ssid: 'Lab "A"; floor:2', password: 'p@ss\\word;1', hidden: true },
    'WIFI:T:WPA;S:Lab \\"A\\"\\; floor\\:2;P:p@ss\\\\word\\;1;H:true;;',
  ],
  vcard: [
    {
      type: 'vcard',
      firstName: 'Ada',
      lastName: 'Lovelace',
      organization: 'Engines, Ltd.',
      mobile: '+44 20 7946 0000',
      email: 'ada@example.com',
      note: 'line1\nline2; more',
    },
    'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nORG:Engines\\, Ltd.\r\nTEL;TYPE=CELL:+442079460000\r\nEMAIL;TYPE=INTERNET:ada@example.com\r\nNOTE:line1\\nline2\\; more\r\nEND:VCARD',
  ],
  mecard: [
    { type: 'mecard', firstName: 'Ada', lastName: 'Love,lace', phone: '555-0100' },
    'MECARD:N:Love\\,lace,Ada;TEL:5550100;;',
  ],
  email: [
    { type: 'email', to: 'qa@example.com', subject: 'Lot L2025-09 & more', body: 'Hi?' },
    'mailto:qa@example.com?subject=Lot%20L2025-09%20%26%20more&body=Hi%3F',
  ],
  sms: [
    { type: 'sms', phone: '+1 (555) 010-0000', message: 'Reorder PAD' },
    'SMSTO:+15550100000:Reorder PAD',
  ],
  tel: [{ type: 'tel', phone: '+49 30 1234567' }, 'tel:+49301234567'],
  geo: [{ type: 'geo', latitude: 52.52, longitude: 13.405, altitude: 34 }, 'geo:52.52,13.405,34'],
  event: [
    {
      type: 'event',
      summary: 'Line 3 audit; all hands',
      start: '2025-01-15T09:00:00Z',
      end: '2025-01-15T10:30:00Z',
      location: 'Hall B',
    },
    'BEGIN:VEVENT\r\nSUMMARY:Line 3 audit\\; all hands\r\nDTSTART:20250115T090000Z\r\nDTEND:20250115T103000Z\r\nLOCATION:Hall B\r\nEND:VEVENT',
  ],
  gs1: [
    { type: 'gs1', gtin: '09506000134352', lot: 'L2025/09', serial: '00001', expiry: '2027-06-30' },
    'https://id.gs1.org/01/09506000134352/10/L2025%2F09/21/00001?17=270630',
  ],
};

describe('payload builders', () => {
  it.each(Object.entries(EXAMPLES))('%s: exact text', (_, [payload, text]) => {
    expect(buildPayload(payload)).toBe(text);
  });

  it.each(Object.entries(EXAMPLES))('%s: ZXing reads the code back', async (_, [payload, text]) => {
    const [result] = await decodeQr(renderPng(encodeText(buildPayload(payload)), { scale: 4 }));
    expect(result.text).toBe(text);
  });

  it('computes GS1 check digits (GS1 General Specifications example)', () => {
    expect(gs1CheckDigit('0950600013435')).toBe(2);
    expect(gs1CheckDigit('629104150021')).toBe(3);
    expect(buildPayload({ type: 'gs1', gtin: '96385074' })).toBe(
      'https://id.gs1.org/01/00000096385074',
    );
  });

  it.each([
    [{ type: 'url', url: 'javascript:alert(1)' }, /Invalid url=.*http: or https:/],
    [{ type: 'url', url: 'not a url' }, /Invalid url=/],
    [{ type: 'text', text: '' }, /Invalid text=""/],
    [
      { type: 'wifi', ssid: 'x'.repeat(33), password: 'longenough' },
      /Invalid wifi.ssid=.*32 bytes/,
    ],
    [{ type: 'wifi', ssid: 'lab', password: 'short' }, /Invalid wifi.password="5 characters"/],
    [
      { type: 'wifi', ssid: 'lab', encryption: 'WEP', password: 'abcdef' },
      /Invalid wifi.password=.*WEP/,
    ],
    [{ type: 'email', to: 'not-an-address' }, /Invalid email.to=/],
    [{ type: 'tel', phone: 'call me' }, /Invalid tel=/],
    [{ type: 'geo', latitude: 91, longitude: 0 }, /Invalid geo.latitude=91/],
    [{ type: 'event', summary: 'x', start: '2025-01-02', end: '2025-01-01' }, /Invalid event.end=/],
    [{ type: 'event', summary: 'x', start: 'yesterday' }, /Invalid event.start=/],
    [{ type: 'gs1', gtin: '09506000134353' }, /Invalid gs1.gtin=.*check digit \(2/],
    [{ type: 'gs1', gtin: '09506000134352', lot: 'a'.repeat(21) }, /Invalid gs1.lot=/],
    [{ type: 'vcard' }, /Invalid contact.firstName=/],
    [{ type: 'nope' }, /Invalid type="nope"/],
  ])('refuses %o', (payload, message) => {
    expect(() => buildPayload(payload as Payload)).toThrow(QrArgumentError);
    expect(() => buildPayload(payload as Payload)).toThrow(message);
  });

  it('never echoes a Wi-Fi password in an error', () => {
    expect(() => buildPayload({ type: 'wifi', ssid: 'lab', password: 'secret7' })).toThrow(
      /"7 characters"/,
    );
    expect(() => buildPayload({ type: 'wifi', ssid: 'lab', password: 'secret7' })).not.toThrow(
      /secret7/,
    );
  });

  it('writes all-day events as dates and open networks without a password', () => {
    expect(
      buildPayload({ type: 'event', summary: 'Inventory', start: '2025-03-01', allDay: true }),
    ).toContain('DTSTART;VALUE=DATE:20250301');
    expect(buildPayload({ type: 'wifi', ssid: 'Guest', encryption: 'nopass' })).toBe(
      'WIFI:T:nopass;S:Guest;;',
    );
  });
});
