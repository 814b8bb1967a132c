import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { cryptoPaySignatureValid, plategaCredentialsValid } from './authenticity.js';

const token = '12345:AAzQcZWQqQAbsfgPnOLr4FHC8Doa4L7KryC';
const body = Buffer.from('{"update_id":1,"update_type":"invoice_paid","request_date":"2026-12-02T22:00:00.000Z","payload":{"invoice_id":7,"amount":"299.00"}}');

/** The documented recipe, written out independently of the code under test. */
function documentedSignature(apiToken: string, raw: Buffer): string {
  const secret = createHash('sha256').update(apiToken).digest();
  return createHmac('sha256', secret).update(raw).digest('hex');
}

describe('CryptoBot webhook signature', () => {
  it('accepts the HMAC-SHA256 of the raw body keyed with SHA-256(token), in either hex case', () => {
    const signature = documentedSignature(token, body);
    expect(cryptoPaySignatureValid(token, body, signature)).toBe(true);
    expect(cryptoPaySignatureValid(token, body, signature.toUpperCase())).toBe(true);
  });

  it('refuses a body changed by one byte, even when it parses to the same JSON', () => {
    const signature = documentedSignature(token, body);
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(cryptoPaySignatureValid(token, reformatted, signature)).toBe(false);
    const tampered = Buffer.from(body.toString().replace('299.00', '2.99'));
    expect(cryptoPaySignatureValid(token, tampered, signature)).toBe(false);
  });

  it('refuses another token, the token itself as key, and malformed or missing signatures', () => {
    expect(cryptoPaySignatureValid(token, body, documentedSignature('99999:AAother', body))).toBe(false);
    expect(cryptoPaySignatureValid(token, body, createHmac('sha256', token).update(body).digest('hex'))).toBe(false);
    for (const bad of [undefined, '', 'zz', documentedSignature(token, body).slice(0, 63), `${documentedSignature(token, body)}00`, 'g'.repeat(64)]) {
      expect(cryptoPaySignatureValid(token, body, bad)).toBe(false);
    }
  });
});

describe('Platega callback credentials', () => {
  const merchant = { merchantId: '6f1b0c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', secret: 's3cr3t-value-of-the-merchant' };

  it('accepts the merchant id and secret, header names in any case', () => {
    expect(plategaCredentialsValid(merchant, { 'x-merchantid': merchant.merchantId, 'x-secret': merchant.secret })).toBe(true);
  });

  it('refuses a wrong or missing value of either header, and repeated headers', () => {
    expect(plategaCredentialsValid(merchant, { 'x-merchantid': merchant.merchantId, 'x-secret': 'wrong' })).toBe(false);
    expect(plategaCredentialsValid(merchant, { 'x-merchantid': 'other', 'x-secret': merchant.secret })).toBe(false);
    expect(plategaCredentialsValid(merchant, { 'x-secret': merchant.secret })).toBe(false);
    expect(plategaCredentialsValid(merchant, { 'x-merchantid': merchant.merchantId })).toBe(false);
    expect(plategaCredentialsValid(merchant, { 'x-merchantid': merchant.merchantId, 'x-secret': [merchant.secret, merchant.secret] })).toBe(false);
  });
});
