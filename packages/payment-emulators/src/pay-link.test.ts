import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CryptoBotEmulator } from './cryptobot.js';
import { payLinkIn } from './pay-link.js';
import { PlategaEmulator } from './platega.js';

let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;

beforeAll(async () => {
  [cryptobot, platega] = await Promise.all([CryptoBotEmulator.start(), PlategaEmulator.start()]);
});

afterAll(async () => {
  await Promise.all([cryptobot.stop(), platega.stop()]);
});

async function call(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  return (await (await fetch(url, init)).json()) as Record<string, unknown>;
}

describe('payLinkIn', () => {
  it('pays the invoice behind a CryptoBot link, and the transaction behind a Platega one, naming the merchant\'s payload', async () => {
    const created = await call(`${cryptobot.apiRoot}createInvoice`, { method: 'POST', headers: { 'content-type': 'application/json', 'crypto-pay-api-token': cryptobot.token }, body: JSON.stringify({ currency_type: 'fiat', fiat: 'RUB', amount: '299.00', payload: 'our-1' }) });
    const invoice = created.result as { invoice_id: number; bot_invoice_url: string };
    expect(payLinkIn({ cryptobot, platega }, `Pay 299.00 RUB with CryptoBot:\n${invoice.bot_invoice_url}\n\nThe subscription starts…`)).toEqual({ provider: 'cryptobot', payload: 'our-1' });
    expect(cryptobot.invoice(invoice.invoice_id).status).toBe('paid');

    const process = await call(`${platega.apiRoot}/transaction/process`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-merchantid': platega.merchantId, 'x-secret': platega.secret }, body: JSON.stringify({ paymentMethod: 2, paymentDetails: { amount: 249, currency: 'RUB' }, description: 'posting', return: 'https://t.me/', failedUrl: 'https://t.me/', payload: 'our-2' }) });
    expect(payLinkIn({ cryptobot, platega }, `Pay with Platega:\n${String(process.redirect)}`)).toEqual({ provider: 'platega', payload: 'our-2' });
    expect(platega.transaction(String(process.transactionId)).status).toBe('CONFIRMED');
  });

  it('pays nothing for a text without a link, or a link to an invoice the emulator never made', () => {
    expect(payLinkIn({ cryptobot, platega }, 'Payments are not available right now.')).toBeUndefined();
    expect(payLinkIn({ cryptobot, platega }, 'https://t.me/CryptoBot?start=IVnotours')).toBeUndefined();
  });
});
