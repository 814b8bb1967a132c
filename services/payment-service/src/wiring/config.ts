/**
 * The payments context's configuration, shared by the payment service and the monolith. A
 * provider whose credentials are absent is off: no invoices with it, its callback endpoint
 * answers 404. Credentials come from Kubernetes Secrets (chart: services.payment-service.secretEnv
 * or extraSecretEnv) and are registered with the log scrubber.
 */
import { duration, secret, url } from '@nova/platform';
import { z } from 'zod';

export const paymentContextConfig = {
  NOVA_CRYPTOBOT_API_ROOT: url(['http', 'https']).default('https://pay.crypt.bot/api/'),
  /** The Crypto Pay app's API token (@CryptoBot → Crypto Pay → My Apps). */
  NOVA_CRYPTOBOT_TOKEN: secret(z.string().regex(/^\d+:[A-Za-z0-9_-]{10,}$/, 'must be a Crypto Pay API token (<app id>:<secret>)')).optional(),
  NOVA_PLATEGA_API_ROOT: url(['http', 'https']).default('https://app.platega.io'),
  NOVA_PLATEGA_MERCHANT_ID: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be the merchant id from Platega\'s cabinet').optional(),
  NOVA_PLATEGA_SECRET: secret(z.string().min(8, 'must be the API secret from Platega\'s cabinet')).optional(),
  /** Platega's payment method for new transactions (2: SBP QR). */
  NOVA_PLATEGA_PAYMENT_METHOD: z.coerce.number().int().positive().default(2),
  /** Where a payer lands after paying with Platega (e.g. the main bot's t.me link). */
  NOVA_PAYMENT_RETURN_URL: url(['http', 'https']).default('https://t.me/'),
  /** How often invoices still pending are checked at their provider (in case a callback was lost). */
  NOVA_PAYMENT_RECONCILE_INTERVAL: duration.default(60_000),
  /** How long one call to a provider may take. */
  NOVA_PAYMENT_PROVIDER_TIMEOUT: duration.default(10_000),
};

export type PaymentContextConfig = z.output<z.ZodObject<typeof paymentContextConfig>>;

/** NOVA_PLATEGA_MERCHANT_ID and NOVA_PLATEGA_SECRET come together or not at all. */
export class PaymentConfigError extends Error {
  override readonly name = 'PaymentConfigError';
}

export function plategaCredentials(config: PaymentContextConfig): { merchantId: string; secret: string } | undefined {
  const { NOVA_PLATEGA_MERCHANT_ID: merchantId, NOVA_PLATEGA_SECRET: secretValue } = config;
  if (merchantId === undefined && secretValue === undefined) return undefined;
  if (merchantId === undefined || secretValue === undefined) throw new PaymentConfigError('NOVA_PLATEGA_MERCHANT_ID and NOVA_PLATEGA_SECRET: set both or neither');
  return { merchantId, secret: secretValue };
}
