/**
 * The monolith's configuration: both contexts' (one database holding both schemas), the webhook
 * endpoint's, and the one flag that says where updates are processed.
 */
import { botContextConfig } from '@nova/bot-service/wiring';
import { notificationContextConfig } from '@nova/notification-service/wiring';
import { paymentContextConfig } from '@nova/payment-service/wiring';
import { databaseConfig, natsServers, routingConfig } from '@nova/platform';
import { publisherContextConfig } from '@nova/publisher-service/wiring';
import { z } from 'zod';

export const UPDATE_MODES = ['inline', 'jetstream'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

export const monolithConfig = {
  ...databaseConfig,
  ...botContextConfig,
  // Its key, API root and migrate flag are the bots context's own variables (same definitions).
  ...publisherContextConfig,
  /** Payment providers; each is off until its credentials are set. */
  ...paymentContextConfig,
  /** The schedulers' intervals and lease (the notification context's variables). */
  ...notificationContextConfig,
  /**
   * inline (the legacy Nova Bot, before stage 1): the webhook processes each update before it
   * answers. jetstream (after stage 1): the webhook writes to stream TELEGRAM like the gateway and
   * the monolith consumes it like the bot service would.
   */
  NOVA_MONOLITH_UPDATES: z.enum(UPDATE_MODES).default('inline'),
  /** Required when NOVA_MONOLITH_UPDATES=jetstream. */
  NOVA_NATS_URL: natsServers.optional(),
  /** kv (stages 2–6): serve and call on NATS, routed per chat by the operator's weights; needs jetstream. */
  ...routingConfig,
};

export type MonolithConfig = z.output<z.ZodObject<typeof monolithConfig>>;

/** NOVA_MONOLITH_UPDATES=jetstream without NOVA_NATS_URL, or NOVA_ROUTING=kv without jetstream. */
export class MonolithConfigError extends Error {
  override readonly name = 'MonolithConfigError';
}

export function natsServersFor(config: Pick<MonolithConfig, 'NOVA_MONOLITH_UPDATES' | 'NOVA_NATS_URL' | 'NOVA_ROUTING'>): readonly string[] | undefined {
  if (config.NOVA_MONOLITH_UPDATES === 'inline') {
    // A routed fleet stores the monolith's updates on telegram.legacy.> in TELEGRAM; inline mode reads no stream.
    if (config.NOVA_ROUTING === 'kv') throw new MonolithConfigError('NOVA_ROUTING: kv needs NOVA_MONOLITH_UPDATES=jetstream (a routed fleet hands the monolith its updates through stream TELEGRAM)');
    return undefined;
  }
  if (config.NOVA_NATS_URL === undefined) throw new MonolithConfigError('NOVA_NATS_URL: is required when NOVA_MONOLITH_UPDATES=jetstream');
  return config.NOVA_NATS_URL;
}
