import type { Clock, EventPublisher } from '@nova/domain';
import type { BotDatabase } from '../database.js';
import type { BotKeyring } from '../keyring.js';
import type { BotsEntitlement } from './bot-allowance.js';
import type { TelegramGateway } from '../telegram-gateway.js';

/** What managing child bots needs, injected by the flow layer (service or monolith). */
export interface RegistryDeps {
  readonly db: BotDatabase;
  readonly keyring: BotKeyring;
  readonly gateway: TelegramGateway;
  /** Where nova.bot.added / nova.bot.removed go once committed. */
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  /** The HTTPS URL a child bot's webhook is set to (see childWebhookUrl). */
  readonly webhookUrl: (botId: bigint) => string;
  /** setWebhook's max_connections for a child bot (the deployable's, as for the main bot). */
  readonly webhookMaxConnections: number;
  /**
   * Whether an owner has a `bots` subscription (the payments context over the bus). Present: an
   * owner may connect FREE_CHILD_BOTS, or SUBSCRIBED_CHILD_BOTS with the subscription. Absent: no
   * limit, as before the payments context existed (unit tests, fixtures).
   */
  readonly botsEntitlement?: BotsEntitlement;
}

/** Hosts of this machine, where a Bot API emulator (tests, the one-machine demo) delivers over plain HTTP. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The token-free webhook path of a child bot under the public base URL (NOVA_PUBLIC_URL): the
 * bot is named by its id, and Telegram's secret_token header authenticates the call, so no
 * token ends up in access logs (the legacy /webhook/{token} path stays for old bots). Telegram
 * delivers over HTTPS only; plain HTTP is accepted for a loopback host, where only an emulator
 * can be the caller.
 */
export function childWebhookUrl(publicUrl: string): (botId: bigint) => string {
  const base = new URL(publicUrl);
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopback(base.hostname))) {
    throw new TypeError('NOVA_PUBLIC_URL must be an https:// URL (Telegram delivers webhooks over HTTPS only; http:// only on a loopback host)');
  }
  const prefix = base.toString().replace(/\/+$/, '');
  return (botId) => `${prefix}/webhook/bot/${botId}`;
}
