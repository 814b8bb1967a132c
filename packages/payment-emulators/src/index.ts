export { CryptoBotEmulator, CRYPTOBOT_TEST_DELIVERY, CRYPTO_ASSETS, CRYPTO_FIATS, type CryptoBotEmulatorOptions, type CryptoInvoice, type CryptoInvoiceStatus, type CryptoUpdate } from './cryptobot.js';
export { cryptoPaySignature } from './cryptobot-signature.js';
export { PlategaEmulator, PLATEGA_DELIVERY, PLATEGA_TEST_DELIVERY, type PlategaCallback, type PlategaEmulatorOptions, type PlategaStatus, type PlategaTransaction } from './platega.js';
export { CallbackDelivery, type DeliveryAttempt, type DeliverySettings, type Notification } from './callback-delivery.js';
export type { ApiFault } from './http.js';
export { jsonNumber, parseJsonExact, stringifyExact } from './json.js';
export { payLinkIn, type PaidLink, type PaymentEmulators } from './pay-link.js';
