import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ChildBotRemovedSchema, RemoveBotResponseSchema, eventMsgId, type RemoveBotRequest, type RemoveBotResponse } from '@nova/contracts';
import { appendToOutbox, NotFoundError, effectKey, outboxRecord, telegramId, throwIfAborted, type HandlerContext } from '@nova/domain';
import { claimEffect, effectResult, recordEffectResult } from '../effects.js';
import { flushBotOutbox } from '../outbox-store.js';
import { callTelegram } from '../telegram-calls.js';
import type { RegistryDeps } from './deps.js';
import { ownedBot } from './owned-bot.js';

/**
 * Disconnects a child bot: deletes its webhook, then forgets the bot, its sealed token and its
 * audience and publishes nova.bot.removed. A token Telegram no longer accepts (revoked with
 * @BotFather) cannot have its webhook deleted and does not stop the removal.
 */
export async function removeChildBot(deps: RegistryDeps, request: RemoveBotRequest, ctx: HandlerContext): Promise<RemoveBotResponse> {
  const botId = telegramId(request.botId, 'bot_id');
  const owner = telegramId(request.ownerTelegramId, 'owner_telegram_id');
  const key = effectKey(request.effectKey);
  const effect = key === undefined ? undefined : `bot.remove:${key}`;
  if (effect !== undefined) {
    const stored = await effectResult(deps.db, effect);
    if (stored !== null) {
      await flushBotOutbox(deps.db, deps.publisher);
      return fromBinary(RemoveBotResponseSchema, stored);
    }
  }
  const row = await ownedBot(deps.db, botId, owner);
  const token = deps.keyring.open(botId, { ciphertext: row.tokenCiphertext, keyId: row.tokenKeyId });
  throwIfAborted(ctx, 'calling Telegram deleteWebhook');
  // A refusal (revoked token) is accepted: there is nothing left to undo on Telegram's side for us.
  await callTelegram('deleteWebhook', token, () => deps.gateway.deleteWebhook(token));

  const now = deps.clock();
  const response = await deps.db.$transaction(async (tx) => {
    if (effect !== undefined && !(await claimEffect(tx, effect))) {
      const stored = await effectResult(tx, effect);
      if (stored === null) throw new Error(`effect ${effect} was recorded without its answer`);
      return fromBinary(RemoveBotResponseSchema, stored);
    }
    const { count } = await tx.bot.deleteMany({ where: { botId, ownerTelegramId: owner, createdAt: row.createdAt } });
    if (count === 0) throw new NotFoundError(`no child bot ${botId}`, { bot_id: botId.toString() });
    const removed = create(RemoveBotResponseSchema, { botId, removedAt: timestampFromDate(now) });
    const event = create(ChildBotRemovedSchema, { botId, ownerTelegramId: owner, removedAt: removed.removedAt });
    await appendToOutbox(tx.outboxEvent, [outboxRecord('nova.bot.removed', event, eventMsgId('nova.bot.removed', `${botId}-${row.createdAt.getTime()}`))]);
    if (effect !== undefined) await recordEffectResult(tx, effect, toBinary(RemoveBotResponseSchema, removed));
    return removed;
  });
  await flushBotOutbox(deps.db, deps.publisher);
  return response;
}
