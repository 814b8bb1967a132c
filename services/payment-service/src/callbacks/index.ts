export { CALLBACK_BODY_LIMIT, CALLBACK_PATHS, CALLBACK_ROUTE, callbackHandlers, registerCallbackRoutes, type CallbackCredentials, type CallbackEndpointOptions, type CallbackOutcome } from './endpoints.js';
export { cryptoPaySignatureValid, plategaCredentialsValid } from './authenticity.js';
export { cryptoBotReport, cryptoInvoiceReport, MalformedCallbackError, parseExactJson, plategaReport, plategaTransactionReport } from './reports.js';
