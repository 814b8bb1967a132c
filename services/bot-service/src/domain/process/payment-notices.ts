import type { SubscriptionActivated } from '@nova/contracts';
import { claimEffect } from '../effects.js';
import { formatDay, subscriptionKindWord } from '../main-bot/payments.js';
import { menu, paymentTexts } from '../main-bot/texts.js';
import { recordReplies, type DeliveryReport } from '../replies/outgoing.js';
import { localeOfRecipient } from '../users.js';
import type { UpdateProcessingDeps } from './deps.js';
import { deliver } from './shared.js';

/**
 * The main bot tells the user their subscription is active when the payments context announces
 * it (nova.payment.subscription_activated): once per invoice however often the event is
 * delivered (effect key `payment-activated:<invoice>`), through the replies outbox like any reply.
 * A Telegram failure is thrown, so the event is redelivered and the unsent reply goes out then.
 */
export async function announceSubscription(deps: UpdateProcessingDeps, event: SubscriptionActivated): Promise<DeliveryReport | undefined> {
  const subscription = event.subscription;
  if (subscription === undefined || subscription.telegramId <= 0n || subscription.invoiceId === '') return undefined;
  const key = `payment-activated:${subscription.invoiceId}`;
  // In the buyer's own language (their choice, else their Telegram app's), whoever's event it is.
  const locale = await localeOfRecipient(deps.users, subscription.telegramId, {});
  const text = paymentTexts(locale).activated(subscriptionKindWord(subscription.kind, locale), formatDay(subscription.endsAt?.seconds, locale));
  await deps.db.$transaction(async (tx) => {
    // A private chat's id is the user's id.
    if (await claimEffect(tx, key)) await recordReplies(tx, key, deps.mainBot.botId, [{ chatId: subscription.telegramId, text, replyMarkup: menu(locale) }]);
  });
  return deliver(deps, key);
}
