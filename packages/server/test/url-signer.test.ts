/** Signed URLs: what is signed verifies until it expires; anything altered does not. */
import { describe, expect, it } from 'vitest';
import { UrlSigner } from '../src/platform/auth/url-signer.js';

const secret = Buffer.from('url-signer-test-secret-url-signer-0123');

describe('UrlSigner', () => {
  const signer = new UrlSigner(secret, 'test v1');
  const params = (query: string) => Object.fromEntries(new URLSearchParams(query));

  it('verifies what it signed, refuses altered parameters, and keys each purpose apart', () => {
    const query = signer.sign({ data: 'x', size: 256 }, new Date(Date.now() + 60_000));
    expect(signer.verify(params(query))).toBe('valid');
    expect(signer.verify(params(query.replace('size=256', 'size=512')))).toBe('invalid');
    expect(new UrlSigner(secret, 'other v1').verify(params(query))).toBe('invalid');
  });

  it('remembers valid URLs, but a remembered URL still expires', () => {
    const expiresAt = new Date(Date.now() + 60_000);
    const query = signer.sign({ data: 'y' }, expiresAt);
    const url = `/render?${query}`;
    expect(signer.verifyUrl(url, params(query))).toBe('valid');
    expect(signer.verifyUrl(url, params(query))).toBe('valid');
    expect(signer.verifyUrl(url, params(query), new Date(expiresAt.getTime() + 1000))).toBe(
      'expired',
    );
    const forged = url.replace('data=y', 'data=z');
    expect(signer.verifyUrl(forged, params(forged.split('?')[1]))).toBe('invalid');
  });
});
