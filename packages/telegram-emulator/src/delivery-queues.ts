/**
 * Which updates Telegram delivers one after another. The Bot API server (tdlib/telegram-bot-api,
 * the code api.telegram.org runs) files each update under a queue id: a message under its chat,
 * a callback query and a business connection under the user. A queue has at most one update in
 * flight and moves on only when it is acknowledged or dropped; different queues are delivered in
 * parallel, up to the webhook's max_connections. So one chat's messages arrive in order, while
 * two chats' (or a chat's message and its user's button press) may arrive in any order.
 */
import type { Update } from './wire.js';

export function deliveryQueueOf(update: Update): string {
  if (update.message !== undefined) return `chat:${String(update.message.chat.id)}`;
  if (update.callback_query !== undefined) return `callback:${String(update.callback_query.from.id)}`;
  if (update.business_connection !== undefined) return `business:${String(update.business_connection.user.id)}`;
  // Kinds without a queue of their own are each their own queue (Telegram's unique_queue_id).
  return `update:${String(update.update_id)}`;
}
