/** The generator's forms produce payloads the engine accepts, and name the field that is wrong. */
import { QrArgumentError } from '@qrforge/qr';
import { buildPayload } from '@qrforge/qr/payloads';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_FORMS, toPayload } from './payload-forms.js';

describe('payload forms', () => {
  it('offers ten content types, each with at least one field', () => {
    expect(Object.keys(PAYLOAD_FORMS)).toHaveLength(10);
    for (const form of Object.values(PAYLOAD_FORMS)) expect(form.fields.length).toBeGreaterThan(0);
  });

  it('turns form strings into payloads: numbers, dates, empty optional fields left out', () => {
    expect(toPayload('geo', { latitude: '51.5', longitude: '-0.12' })).toEqual({
      type: 'geo',
      latitude: 51.5,
      longitude: -0.12,
    });
    expect(toPayload('wifi', { ssid: 'Line 3', password: '', encryption: 'WPA' })).toEqual({
      type: 'wifi',
      ssid: 'Line 3',
      encryption: 'WPA',
    });
    const event = toPayload('event', { summary: 'Audit', start: '2026-11-23T09:30', end: '' });
    expect(event).toMatchObject({ type: 'event', summary: 'Audit' });
    expect(buildPayload(event)).toMatch(/^BEGIN:VEVENT\r\nSUMMARY:Audit/);
  });

  it('leaves a required field empty so the engine names it', () => {
    const error = (() => {
      try {
        buildPayload(toPayload('wifi', { ssid: '' }));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(QrArgumentError);
    // The page shows the message next to the field named by the argument's last part.
    expect((error as QrArgumentError).argument.split('.').pop()).toBe('ssid');
  });
});
