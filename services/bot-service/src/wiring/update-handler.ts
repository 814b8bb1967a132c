/**
 * The bus's UpdateHandler over the domain's update processor: an update is acked when the
 * processor resolves; a retryable failure (Telegram or the users context unavailable, a reply
 * leased by another sender) is thrown for the bus to redeliver after its backoff; a failure no
 * redelivery can fix (a malformed update, a token sealed under another key) goes to the
 * dead-letter stream at once, to be replayed after the cause is fixed.
 */
import { UnprocessableMessageError, type UpdateHandler } from '@nova/bus';
import { isRetryable } from '@nova/domain';
import type { Logger } from '@nova/platform';
import type { UpdateProcessor } from '../domain/index.js';

export function updateHandler(process: UpdateProcessor, logger: Logger): UpdateHandler {
  return async (update, delivery) => {
    try {
      const outcome = await process(update, {});
      logger.debug({ update: delivery.idempotencyKey, deliveryCount: delivery.deliveryCount, ...outcome }, 'update processed');
    } catch (error) {
      if (isRetryable(error)) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new UnprocessableMessageError(`update ${delivery.idempotencyKey} cannot be processed: ${reason}`, { cause: error });
    }
  };
}
