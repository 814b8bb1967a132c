export { startPaymentContext, paymentProviders, type PaymentContext, type PaymentContextHost, type PaymentContextOptions } from './payment-context.js';
export { paymentContextConfig, plategaCredentials, PaymentConfigError, type PaymentContextConfig } from './config.js';
export { CryptoPayClient, type CryptoPayClientOptions } from './cryptobot-client.js';
export { PlategaClient, type PlategaClientOptions } from './platega-client.js';
export { ProviderCallError, ProviderHttp, type ProviderHttpOptions } from './provider-http.js';
export * from '../callbacks/index.js';
export { PaymentReconciler, type ReconcilerOptions } from './reconciler.js';
