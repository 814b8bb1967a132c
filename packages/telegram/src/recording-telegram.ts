/**
 * telegraf for handlers whose calls must not reach Telegram while they run: a telegraf `Telegram`
 * that sends nothing. Every call telegraf makes (`ctx.reply`, `ctx.telegram.sendMessage`, ...) is
 * handed to a recorder, and what the recorder returns is what the handler gets back; a call the
 * recorder refuses (throws) rejects. The bots context uses it to put replies into its
 * transactional outbox, which sends them later through the TelegramClient (ARCHITECTURE.md,
 * Decided 4: a reply is recorded in the same transaction as the update it answers).
 */
import { Composer, Telegram, type Context, type Middleware } from 'telegraf';
import type { Opts, Telegram as TelegrafMethods } from 'telegraf/types';

/** Receives one Bot API call by name with telegraf's payload; returns the call's result or throws to refuse it. */
export type TelegramCallRecorder = (method: string, payload: Readonly<Record<string, unknown>>) => unknown;

export class RecordingTelegram extends Telegram {
  readonly #record: TelegramCallRecorder;

  constructor(record: TelegramCallRecorder) {
    // No token: this Telegram never reaches the Bot API, so it holds no secret to leak.
    super('', { webhookReply: false });
    this.#record = record;
  }

  override callApi<M extends keyof TelegrafMethods>(method: M, payload: Opts<M>): Promise<ReturnType<TelegrafMethods[M]>> {
    try {
      return Promise.resolve(this.#record(method, payload) as ReturnType<TelegrafMethods[M]>);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/**
 * Runs telegraf middleware (a Composer, or a Telegraf's routes) over one context, as
 * `Telegraf.handleUpdate` does but without its getMe, webhook reply, timeout and error printing:
 * resolves when the handlers are done, rejects with what a handler threw.
 */
export async function routeUpdate<C extends Context>(middleware: Middleware<C>, ctx: C): Promise<void> {
  await Composer.unwrap(middleware)(ctx, () => Promise.resolve());
}
