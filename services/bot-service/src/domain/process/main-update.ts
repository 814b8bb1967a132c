import { telegramMsgId } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import { claimEffect } from '../effects.js';
import { routeMainBotMessage } from '../main-bot/router.js';
import { botsOwnedBy } from '../registry/queries.js';
import { leaseEnd, recordLeasedReplies, sendRecordedReplies } from '../replies/outgoing.js';
import type { IncomingUpdate } from '../updates/incoming.js';
import { registerSenderSpeaking, storeChosenLanguage } from '../users.js';
import { carryOut } from './carry-out.js';
import { carryOutPayment } from './carry-out-payment.js';
import { carryOutPublishing } from './carry-out-publishing.js';
import { loadConversation, saveConversation } from './conversation-store.js';
import type { UpdateProcessingDeps } from './deps.js';
import type { ProcessOutcome } from './outcome.js';
import { deliver, deliveryDeps, isProcessed, recordIgnored, updateEffectKey } from './shared.js';

/**
 * One update to the main bot: register the sender, route the message through telegraf to decide
 * on it in its conversation, carry out what was decided (add, remove, greeting; each idempotent
 * under the update's msgID), then in one transaction record the update as processed with the
 * conversation's next state and the replies telegraf's handlers recorded (leased to this sender);
 * then send them. The main bot talks in private chats only.
 */
export async function processMainUpdate(deps: UpdateProcessingDeps, update: IncomingUpdate, ctx: HandlerContext): Promise<ProcessOutcome> {
  const botId = deps.mainBot.botId;
  const key = updateEffectKey(botId, update.updateId);
  if (await isProcessed(deps.db, key)) return { effectKey: key, repeated: true, registration: 'none', delivery: await deliver(deps, key) };

  const message = update.message;
  const sender = message?.sender;
  if (message === undefined || sender === undefined || sender.isBot || message.chatType !== 'private') {
    await recordIgnored(deps, key, botId);
    return { effectKey: key, repeated: false, registration: 'none', delivery: { sent: 0, failed: 0 } };
  }

  const msgId = telegramMsgId(botId, update.updateId);
  const { registration, locale } = await registerSenderSpeaking(deps.users, sender, botId, msgId, ctx);
  // An admin blocked this user: the main bot ignores them (their own bots keep answering others).
  if (registration === 'blocked') {
    await recordIgnored(deps, key, botId);
    return { effectKey: key, repeated: false, registration, delivery: { sent: 0, failed: 0 } };
  }
  const view = {
    chatId: message.chatId,
    user: { firstName: sender.firstName, registeredNow: registration === 'created' },
    locale,
    state: await loadConversation(deps.db, message.chatId),
    bots: await botsOwnedBy(deps.db, sender.id),
  };
  const result = await routeMainBotMessage({
    botId,
    update,
    view,
    carryOut: (intent) => carryOut(deps, intent, view, sender.id, msgId, ctx),
    payments: (intent) => carryOutPayment(deps, intent, sender.id, msgId, ctx, view.locale),
    publishing: (intent) => carryOutPublishing(deps, intent, sender.id, msgId, ctx),
    setLanguage: (intent) => storeChosenLanguage(deps.users, sender.id, intent.locale, ctx),
    ...(deps.adminSignIn === undefined ? {} : { adminLink: () => deps.adminSignIn?.linkFor(sender, deps.clock()) }),
    now: deps.clock(),
  });

  const now = deps.clock();
  // The replies are recorded leased to this sender and sent without being read back (issue 20).
  const recorded = await deps.db.$transaction(async (tx) => {
    if (!(await claimEffect(tx, key))) return undefined;
    await saveConversation(tx, message.chatId, result.next, now);
    return recordLeasedReplies(tx, key, botId, result.replies, leaseEnd(deliveryDeps(deps)));
  });
  if (recorded === undefined) return { effectKey: key, repeated: true, registration, delivery: await deliver(deps, key) };
  return { effectKey: key, repeated: false, registration, delivery: await sendRecordedReplies(deliveryDeps(deps), recorded) };
}
