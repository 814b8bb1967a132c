import { telegramMsgId } from '@nova/contracts';
import type { BotDatabase } from '../database.js';
import { claimEffect } from '../effects.js';
import { deliverReplies, recordReplies, type DeliveryDeps, type DeliveryReport } from '../replies/outgoing.js';
import type { Reply } from '../replies/reply.js';
import type { UpdateProcessingDeps } from './deps.js';

/** The key under which an update's processing is recorded (Decided 4): unique per bot and update. */
export function updateEffectKey(botId: bigint, updateId: bigint): string {
  return `update:${telegramMsgId(botId, updateId)}`;
}

export async function isProcessed(db: BotDatabase, key: string): Promise<boolean> {
  return (await db.processedEffect.findUnique({ where: { effectKey: key }, select: { effectKey: true } })) !== null;
}

export function deliveryDeps(deps: UpdateProcessingDeps): DeliveryDeps {
  return {
    db: deps.db, gateway: deps.gateway, tokens: deps.tokens, clock: deps.clock,
    ...(deps.replyLeaseMs === undefined ? {} : { leaseMs: deps.replyLeaseMs }),
    ...(deps.stopping === undefined ? {} : { stopping: deps.stopping }),
  };
}

export function deliver(deps: UpdateProcessingDeps, key: string): Promise<DeliveryReport> {
  return deliverReplies(deliveryDeps(deps), key);
}

/** Records an update as processed with nothing to say (a kind of update the bot ignores). */
export async function recordIgnored(deps: UpdateProcessingDeps, key: string, botId: bigint, replies: readonly Reply[] = []): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    if (await claimEffect(tx, key)) await recordReplies(tx, key, botId, replies);
  });
}
