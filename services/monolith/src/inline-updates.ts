/**
 * The legacy monolith's way with an update (NOVA_MONOLITH_UPDATES=inline): process it inside the
 * webhook request, one at a time per chat, and answer Telegram only when it is done. A failure
 * that may pass (Telegram or the database unavailable) answers 503 and Telegram delivers the
 * update again: nothing is lost, and the processor's effect keys make the retry repeat nothing. A
 * failure no retry can fix is logged and answered 200, or Telegram would retry it forever.
 */
import { create } from '@bufbuild/protobuf';
import { TelegramUpdateSchema } from '@nova/contracts';
import { isRetryable, KeyedSerial } from '@nova/domain';
import type { Logger } from '@nova/platform';
import type { UpdateProcessor } from '@nova/bot-service/domain';
import type { UpdateEnvelope } from '@nova/webhook-gateway/webhook';

export function inlineUpdates(process: UpdateProcessor, logger: Logger): (envelope: UpdateEnvelope) => Promise<void> {
  const chats = new KeyedSerial();
  return (init) => {
    const envelope = create(TelegramUpdateSchema, init);
    const update = `${envelope.botId.toString()}:${envelope.updateId.toString()}`;
    return chats.run(`${envelope.botId.toString()}:${envelope.chatId.toString()}`, async () => {
      try {
        const outcome = await process(envelope, {});
        logger.debug({ update, ...outcome }, 'update processed');
      } catch (error) {
        if (isRetryable(error)) throw error;
        logger.error({ update, err: error }, 'update cannot be processed; dropped (Telegram would retry it forever)');
      }
    });
  };
}
