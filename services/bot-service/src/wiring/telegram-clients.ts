/**
 * The process's Telegram clients: one per bot, made on first use, all reporting to the process's
 * metrics registry (nova_circuit_state{circuit="telegram:<bot id>"}, nova_telegram_calls_total)
 * and logger. Made before the bus, so the circuit gauge is the Telegram client's, which re-reads
 * every circuit at each scrape.
 */
import type { Logger, Metrics } from '@nova/platform';
import { TelegramClients, type SendGate } from '@nova/telegram';

/** `gateFor`: each bot's budget shared with other processes (the bot service's ReplyBudget); none in the monolith. */
export function telegramClientsFor(host: { readonly logger: Logger; readonly metrics: Metrics }, apiRoot: string, mainBotToken: string, gateFor?: (botId: string) => SendGate | undefined): TelegramClients {
  const clients = new TelegramClients({ apiRoot, registry: host.metrics.registry, logger: host.logger, ...(gateFor === undefined ? {} : { gateFor }) });
  clients.forToken(mainBotToken);
  return clients;
}
