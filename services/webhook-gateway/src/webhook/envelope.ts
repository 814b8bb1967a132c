/** The TelegramUpdate envelope the webhook writes to stream TELEGRAM (contracts: telegram.proto). */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BotRole, type TelegramUpdateSchema } from '@nova/contracts';
import type { WebhookUpdate } from './telegram-update.js';

export type UpdateEnvelope = MessageInitShape<typeof TelegramUpdateSchema>;

export function updateEnvelope(update: WebhookUpdate, botId: bigint, role: 'main' | 'child', receivedAt: Date): UpdateEnvelope {
  return {
    rawUpdate: update.raw,
    botId,
    updateId: BigInt(update.updateId),
    receivedAt: timestampFromDate(receivedAt),
    chatId: BigInt(update.chatId),
    userId: BigInt(update.userId),
    kind: update.kind,
    botRole: role === 'main' ? BotRole.MAIN : BotRole.CHILD,
  };
}
