import { describe, expect, it } from '@jest/globals';
import { cryptoBotReport, cryptoInvoiceReport, MalformedCallbackError, parseExactJson, plategaReport, plategaTransactionReport } from './reports.js';

const paidInvoice = { invoice_id: 7, hash: 'IVX', currency_type: 'fiat', fiat: 'RUB', amount: '299.00', status: 'paid', payload: 'our-id' };
const cryptoBody = (invoice: Record<string, unknown>, type = 'invoice_paid'): Buffer =>
  Buffer.from(JSON.stringify({ update_id: 1, update_type: type, request_date: '2026-12-02T22:00:00.000Z', payload: invoice }));

describe('CryptoBot updates', () => {
  it('reads an invoice_paid update into a paid report in minor units', () => {
    expect(cryptoBotReport(cryptoBody(paidInvoice))).toEqual({
      provider: 'cryptobot', providerInvoiceId: '7', invoiceId: 'our-id', outcome: 'paid', amount: { minorUnits: 29900n, currency: 'RUB' },
    });
  });

  it('ignores other update types and refuses bodies that are not what CryptoBot sends', () => {
    expect(cryptoBotReport(cryptoBody(paidInvoice, 'something_new'))).toEqual({ ignored: 'update_type is not invoice_paid' });
    for (const bad of [
      Buffer.from('not json'),
      Buffer.from('[]'),
      cryptoBody({ ...paidInvoice, invoice_id: -1 }),
      cryptoBody({ ...paidInvoice, invoice_id: 1.5 }),
      cryptoBody({ ...paidInvoice, status: 'active' }),
      cryptoBody({ ...paidInvoice, amount: '2.999' }),
      cryptoBody({ ...paidInvoice, fiat: 'XXX' }),
    ]) {
      expect(() => cryptoBotReport(bad)).toThrow(MalformedCallbackError);
    }
  });
});

describe('Platega callbacks', () => {
  const body = (fields: Record<string, unknown>, amount = '299.00'): Buffer =>
    Buffer.from(JSON.stringify({ id: '6f1b0c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', amount: '§', currency: 'RUB', status: 'CONFIRMED', paymentMethod: 2, payload: 'our-id', ...fields }).replace('"§"', amount));

  it('reads the amount from the JSON number text, not a float', () => {
    expect(plategaReport(body({}))).toMatchObject({ outcome: 'paid', amount: { minorUnits: 29900n, currency: 'RUB' }, invoiceId: 'our-id' });
    expect(plategaReport(body({}, '0.3'))).toMatchObject({ amount: { minorUnits: 30n } });
  });

  it('maps statuses, ignores PENDING and refuses unknown ones', () => {
    expect(plategaReport(body({ status: 'CANCELED' }))).toMatchObject({ outcome: 'canceled' });
    expect(plategaReport(body({ status: 'CHARGEBACKED' }))).toMatchObject({ outcome: 'chargebacked' });
    expect(plategaReport(body({ status: 'PENDING' }))).toEqual({ ignored: 'status PENDING' });
    expect(() => plategaReport(body({ status: 'PAID' }))).toThrow(MalformedCallbackError);
    expect(() => plategaReport(body({ id: '../../etc' }))).toThrow(MalformedCallbackError);
    expect(() => plategaReport(body({}, '1e2'))).toThrow(MalformedCallbackError);
  });
});

describe('what the reconciler reads', () => {
  it('a getInvoices item: paid and expired are reports, active is nothing yet', () => {
    expect(cryptoInvoiceReport(paidInvoice)).toMatchObject({ outcome: 'paid', providerInvoiceId: '7' });
    expect(cryptoInvoiceReport({ ...paidInvoice, status: 'expired' })).toMatchObject({ outcome: 'expired' });
    expect(cryptoInvoiceReport({ ...paidInvoice, status: 'active' })).toBeUndefined();
    expect(() => cryptoInvoiceReport({ ...paidInvoice, status: 'refunded' })).toThrow(MalformedCallbackError);
  });

  it('a Platega GET /transaction answer, amount under paymentDetails, read exactly', () => {
    const body = parseExactJson('{"id":"6f1b0c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b","status":"CONFIRMED","paymentDetails":{"amount":1990.10,"currency":"RUB"},"payload":"our-id"}') as Record<string, unknown>;
    expect(plategaTransactionReport(body)).toMatchObject({ outcome: 'paid', amount: { minorUnits: 199010n, currency: 'RUB' }, invoiceId: 'our-id' });
    expect(plategaTransactionReport({ ...body, status: 'PENDING' })).toBeUndefined();
    expect(() => plategaTransactionReport({ ...body, paymentDetails: undefined })).toThrow(MalformedCallbackError);
  });
});
