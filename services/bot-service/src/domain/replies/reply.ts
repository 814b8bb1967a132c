import type { ReplyMarkup } from '../telegram-gateway.js';

/** A message a bot decided to send, as data: recorded with the update's processing, sent after. */
export interface Reply {
  readonly chatId: bigint;
  readonly text: string;
  readonly replyMarkup?: ReplyMarkup;
}
