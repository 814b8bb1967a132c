/**
 * telegraf (4.16.3) for bot logic, with every outgoing call going through the TelegramClient.
 *
 * telegraf sends through `Telegram.callApi`, and builds a fresh `Telegram` for every update's
 * context (Telegraf.handleUpdate). Both are replaced: `bot.telegram` is a ClientTelegram, and the
 * context type hands every context that same ClientTelegram, so `ctx.reply`, `ctx.telegram.*`
 * and `bot.telegram.*` are all paced, retried and circuit-broken by the client.
 *
 * Updates come from JetStream: call `bot.handleUpdate(update)`; its promise rejects when a
 * handler fails (no console noise, no process.exitCode), so the consumer can nak and redeliver.
 * Webhook replies are off: a reply written into the webhook response can neither fail visibly
 * nor be rate limited.
 */
import { Context, Telegraf, Telegram } from 'telegraf';
import type { Opts, Telegram as TelegrafMethods, Update, UserFromGetMe } from 'telegraf/types';
import { TelegramClient } from './client.js';
import { TelegramClients } from './clients.js';
import { botIdOf } from './token.js';

type TelegramOptions = NonNullable<ConstructorParameters<typeof Telegram>[1]>;
type CallApiOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

/** telegraf's Telegram whose calls go through a TelegramClient. */
export class ClientTelegram extends Telegram {
  readonly #client: TelegramClient;

  constructor(client: TelegramClient, token: string, options: TelegramOptions = {}) {
    super(token, { ...options, webhookReply: false });
    this.#client = client;
    // telegraf keeps the token as a public field; keep it out of JSON and util.inspect (logs).
    Object.defineProperty(this, 'token', { enumerable: false });
  }

  override callApi<M extends keyof TelegrafMethods>(method: M, payload: Opts<M>, { signal }: CallApiOptions = {}): Promise<ReturnType<TelegrafMethods[M]>> {
    // telegraf types its signal with the abort-controller shim; at run time it is the platform's AbortSignal.
    const options = signal === undefined ? {} : { signal: signal as unknown as AbortSignal };
    return this.#client.callRaw(method, payload, options) as Promise<ReturnType<TelegrafMethods[M]>>;
  }
}

export type TelegrafOptions<C extends Context> = Partial<Telegraf.Options<C>>;

/**
 * A Telegraf whose outgoing calls all go through `client` (a bot's TelegramClient, or the pool
 * that makes one per bot), with webhook replies off. Feed it updates with `bot.handleUpdate`.
 */
export function createTelegraf<C extends Context = Context>(token: string, client: TelegramClient | TelegramClients, options: TelegrafOptions<C> = {}): Telegraf<C> {
  const botClient = client instanceof TelegramClients ? client.forToken(token) : client;
  if (botClient.botId !== botIdOf(token)) {
    throw new RangeError(`createTelegraf: the client is bot ${botClient.botId}'s, the token is bot ${botIdOf(token)}'s`);
  }
  const telegram = new ClientTelegram(botClient, token, options.telegram);
  const Base = (options.contextType ?? Context) as typeof Context;
  class ClientContext extends Base {
    constructor(update: Update, _perUpdateTelegram: Telegram, botInfo: UserFromGetMe) {
      super(update, telegram, botInfo);
    }
  }
  const bot = new Telegraf<C>(token, {
    ...options,
    contextType: ClientContext as unknown as Telegraf.Options<C>['contextType'],
    telegram: { ...options.telegram, webhookReply: false },
  });
  bot.telegram = telegram;
  bot.catch((error) => {
    throw error;
  });
  return bot;
}
