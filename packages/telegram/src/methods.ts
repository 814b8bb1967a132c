/**
 * Which calls Telegram's message limits apply to, and to which chat. Telegram counts messages
 * a bot sends or edits; reading calls (getMe, getWebhookInfo), answering callback queries and
 * chat actions are not paced, so they never wait behind a busy chat.
 */

export interface SendTarget {
  /** The chat the message goes to; undefined for inline messages (paced by the bot limit only). */
  readonly chatKey: string | undefined;
  /** Groups and channels: negative ids or @channel usernames. */
  readonly group: boolean;
}

/** Method names are case-insensitive in the Bot API. */
export function isMessageMethod(method: string): boolean {
  const name = method.toLowerCase();
  if (name === 'sendchataction') return false;
  return name.startsWith('send') || name.startsWith('copymessage') || name.startsWith('forwardmessage') || name.startsWith('editmessage');
}

/** The pacing target of a call, or undefined when the call is not paced. */
export function sendTargetOf(method: string, params: Readonly<Record<string, unknown>>): SendTarget | undefined {
  if (!isMessageMethod(method)) return undefined;
  const chatId = params['chat_id'];
  if (typeof chatId === 'number' || typeof chatId === 'bigint') return { chatKey: String(chatId), group: chatId < 0 };
  if (typeof chatId === 'string' && chatId.length > 0) return { chatKey: chatId, group: chatId.startsWith('-') || chatId.startsWith('@') };
  return { chatKey: undefined, group: false };
}
