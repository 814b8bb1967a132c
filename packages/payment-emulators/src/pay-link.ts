/**
 * A person paying behind a payment link, as a wallet or a bank app would: the link the merchant
 * got from `createInvoice` (CryptoBot's bot_invoice_url) or `transaction/process` (Platega's
 * redirect) names the invoice at the provider, which then confirms it and calls the merchant back.
 * Used by the demo's simulated users and the tests' buyers.
 */
import type { CryptoBotEmulator } from './cryptobot.js';
import type { PlategaEmulator } from './platega.js';

const CRYPTOBOT_LINK = /https:\/\/t\.me\/CryptoBot\?start=(\S+)/u;
const PLATEGA_LINK = /https:\/\/pay\.platega\.io\/\?id=(\S+)/u;

export interface PaymentEmulators {
  readonly cryptobot: CryptoBotEmulator;
  readonly platega: PlategaEmulator;
}

export interface PaidLink {
  readonly provider: 'cryptobot' | 'platega';
  /** The merchant's own invoice id: the payload it gave the provider. */
  readonly payload: string;
}

/** Pays the first payment link of either emulator found in `text`; undefined when there is none (nothing is paid). */
export function payLinkIn(emulators: PaymentEmulators, text: string): PaidLink | undefined {
  const hash = CRYPTOBOT_LINK.exec(text)?.[1];
  if (hash !== undefined) {
    const invoice = emulators.cryptobot.allInvoices().find((candidate) => candidate.hash === hash);
    if (invoice === undefined) return undefined;
    emulators.cryptobot.pay(invoice.invoice_id);
    return { provider: 'cryptobot', payload: invoice.payload ?? '' };
  }
  const id = PLATEGA_LINK.exec(text)?.[1];
  if (id === undefined) return undefined;
  const transaction = emulators.platega.transaction(id);
  emulators.platega.confirm(id);
  return { provider: 'platega', payload: transaction.payload };
}
