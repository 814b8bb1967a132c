/**
 * The providers' callback endpoints, served by the payment service and the monolith alike:
 *
 *   POST /payments/cryptobot/callback   Crypto Pay webhook (signature over the raw body)
 *   POST /payments/platega/callback     Platega callback (merchant id and secret headers)
 *
 * Answers: 200 once applied or already applied (a duplicate is not an error: the provider must
 * stop retrying); 401 when not authentic; 400 when not a callback we understand; 404 for an
 * invoice we never created; 422 when the amount, currency or our id differ from the invoice
 * (logged as an error: someone is probing, or a provider changed); 503 when the database is
 * unreachable, so the provider retries. Nothing changes unless the callback is authentic and
 * matches. Headers and bodies are never logged (they carry the secrets and the signature).
 */
import type { Counter } from 'prom-client';
import type { HttpHandler, HttpReply, HttpRequest, HttpServer, Logger, Metrics } from '@nova/platform';
import { KeyedSerial } from '@nova/domain';
import { applyProviderReport, type ProviderName, type ProviderReport, type ReportDeps, type ReportResult } from '../domain/index.js';
import { cryptoPaySignatureValid, plategaCredentialsValid, singleHeader } from './authenticity.js';
import { cryptoBotReport, MalformedCallbackError, plategaReport, type IgnoredCallback } from './reports.js';

export const CALLBACK_PATHS = {
  cryptobot: '/payments/cryptobot/callback',
  platega: '/payments/platega/callback',
} as const satisfies Record<ProviderName, string>;

/** Callbacks are a few kilobytes; CryptoBot's payload field alone may be 4 kB. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

export interface CallbackCredentials {
  /** The Crypto Pay API token (its SHA-256 keys the signature); CryptoBot callbacks get 404 without it. */
  readonly cryptobotToken?: string | undefined;
  readonly platega?: { readonly merchantId: string; readonly secret: string } | undefined;
}

export interface CallbackEndpointOptions extends ReportDeps {
  readonly credentials: CallbackCredentials;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'counter'>;
}

export type CallbackOutcome = ReportResult['kind'] | 'ignored' | 'unauthenticated' | 'malformed' | 'not_configured' | 'error';

interface Provider {
  readonly name: ProviderName;
  authentic(request: HttpRequest): boolean;
  read(raw: Buffer): ProviderReport | IgnoredCallback;
}

const STATUS: Readonly<Record<CallbackOutcome, number>> = {
  activated: 200, revoked: 200, updated: 200, unchanged: 200, ignored: 200,
  unauthenticated: 401, malformed: 400, unknown_invoice: 404, not_configured: 404, mismatch: 422, error: 503,
};

const reply = (outcome: CallbackOutcome): HttpReply => ({ status: STATUS[outcome], headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: STATUS[outcome] === 200, outcome }) });

export function callbackHandler(provider: Provider | undefined, providerName: ProviderName, options: CallbackEndpointOptions): HttpHandler {
  const counter: Counter<'provider' | 'outcome'> = options.metrics.counter('nova_payment_callbacks_total', 'Payment provider callbacks, by provider and outcome (unauthenticated: a forged or misconfigured caller)', ['provider', 'outcome']);
  const { logger } = options;
  // Copies of one invoice's callback are applied one after another in this process (KeyedSerial).
  const perInvoice = new KeyedSerial();
  return async (request: HttpRequest): Promise<HttpReply> => {
    const outcome = await decide(request);
    counter.inc({ provider: providerName, outcome });
    return reply(outcome);
  };

  async function decide(request: HttpRequest): Promise<CallbackOutcome> {
    if (provider === undefined) {
      logger.warn({ provider: providerName }, 'payment callback refused: this provider is not configured here');
      return 'not_configured';
    }
    if (!provider.authentic(request)) {
      logger.warn({ provider: providerName, bytes: request.body.length }, 'payment callback refused: not authentic');
      return 'unauthenticated';
    }
    let report: ProviderReport | IgnoredCallback;
    try {
      report = provider.read(request.body);
    } catch (error) {
      if (!(error instanceof MalformedCallbackError)) throw error;
      logger.warn({ provider: providerName, reason: error.message }, 'payment callback refused: malformed');
      return 'malformed';
    }
    if ('ignored' in report) {
      logger.info({ provider: providerName, reason: report.ignored }, 'payment callback ignored');
      return 'ignored';
    }
    let result: ReportResult;
    try {
      result = await perInvoice.run(report.providerInvoiceId, () => applyProviderReport(options, report));
    } catch (error) {
      logger.error({ provider: providerName, providerInvoice: report.providerInvoiceId, err: error }, 'payment callback not applied now; the provider will retry');
      return 'error';
    }
    const where = { provider: providerName, providerInvoice: report.providerInvoiceId, outcome: result.kind };
    if (result.kind === 'mismatch') logger.error({ ...where, invoice: result.invoiceId, field: result.field }, 'payment callback refused: it does not match the invoice (ALERT: never activated)');
    else if (result.kind === 'unknown_invoice') logger.warn(where, 'payment callback refused: no such invoice');
    else logger.info({ ...where, invoice: result.invoiceId }, 'payment callback applied');
    return result.kind;
  }
}

function cryptoBotProvider(token: string): Provider {
  return {
    name: 'cryptobot',
    authentic: (request) => cryptoPaySignatureValid(token, request.body, singleHeader(request.headers, 'crypto-pay-api-signature')),
    read: cryptoBotReport,
  };
}

function plategaProvider(credentials: { merchantId: string; secret: string }): Provider {
  return { name: 'platega', authentic: (request) => plategaCredentialsValid(credentials, request.headers), read: plategaReport };
}

/** Both endpoints, whatever is configured (an unconfigured provider's endpoint answers 404). */
export function callbackHandlers(options: CallbackEndpointOptions): Record<ProviderName, HttpHandler> {
  const { cryptobotToken, platega } = options.credentials;
  return {
    cryptobot: callbackHandler(cryptobotToken === undefined ? undefined : cryptoBotProvider(cryptobotToken), 'cryptobot', options),
    platega: callbackHandler(platega === undefined ? undefined : plategaProvider(platega), 'platega', options),
  };
}

/**
 * The route prefix both endpoints are served and measured under: stage 5's pathPrefix. The
 * operator's analysis of a plain-nginx or Gateway API split reads the processes' own
 * nova_http_server_requests_total by `route`, the prefix that matched, which must therefore be the
 * migration's prefix, not each endpoint's full path.
 */
export const CALLBACK_ROUTE = '/payments/';

const NOT_A_CALLBACK: HttpReply = { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: false, outcome: 'not_found' }) };

export function registerCallbackRoutes(http: Pick<HttpServer, 'route'>, options: CallbackEndpointOptions): void {
  const handlers = callbackHandlers(options);
  const byPath = new Map<string, HttpHandler>([[CALLBACK_PATHS.cryptobot, handlers.cryptobot], [CALLBACK_PATHS.platega, handlers.platega]]);
  http.route('POST', CALLBACK_ROUTE, (request) => (byPath.get(request.path) ?? (() => Promise.resolve(NOT_A_CALLBACK)))(request), { bodyLimit: CALLBACK_BODY_LIMIT });
}
