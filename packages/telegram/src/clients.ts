/**
 * One TelegramClient per bot for a process that runs many bots (the main bot and every child
 * bot): made on first use, with shared options (registry, logger, limits), so each bot has its
 * own queues and circuit and no bot's trouble spills onto another.
 */
import { TelegramClient, type TelegramClientOptions } from './client.js';
import type { SendGate } from './send-gate.js';
import { botIdOf } from './token.js';

export type TelegramClientsOptions = Omit<TelegramClientOptions, 'token' | 'gate'> & {
  /** The budget each bot shares with other processes (see SendGate); default none. */
  readonly gateFor?: (botId: string) => SendGate | undefined;
};

export class TelegramClients {
  readonly #clients = new Map<string, { readonly token: string; readonly client: TelegramClient }>();

  constructor(private readonly options: TelegramClientsOptions = {}) {}

  /** The bot's client. A new token for a known bot id (the owner revoked the old one) gets a new client. */
  forToken(token: string): TelegramClient {
    const botId = botIdOf(token);
    const known = this.#clients.get(botId);
    if (known?.token === token) return known.client;
    known?.client.close();
    const { gateFor, ...options } = this.options;
    const gate = gateFor?.(botId);
    const client = new TelegramClient({ ...options, token, ...(gate === undefined ? {} : { gate }) });
    this.#clients.set(botId, { token, client });
    return client;
  }

  /** Forgets a bot (removed by its owner): its queued messages fail with TelegramClientClosedError. */
  remove(botId: string): void {
    this.#clients.get(botId)?.client.close();
    this.#clients.delete(botId);
  }

  get size(): number {
    return this.#clients.size;
  }

  idle(): Promise<void> {
    return Promise.all([...this.#clients.values()].map(({ client }) => client.idle())).then(() => undefined);
  }

  close(): void {
    for (const { client } of this.#clients.values()) client.close();
  }
}
