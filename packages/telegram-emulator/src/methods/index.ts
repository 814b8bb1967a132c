import { answerCallbackQuery, getChat, getMe, getMyCommands, setMyCommands } from './bot-info.js';
import { getBusinessConnection, postStory } from './business.js';
import { getChatAdministrators, getChatMember } from './members.js';
import { deleteMessage, editMessageText, sendChatAction, sendMessage, sendPhoto } from './messages.js';
import type { MethodHandler } from './types.js';
import { deleteWebhook, getUpdates, getWebhookInfo, setWebhook } from './webhook.js';

export type { MethodEnv, MethodHandler, MethodOutcome } from './types.js';

const HANDLERS: Readonly<Record<string, MethodHandler>> = {
  getMe, getChat, answerCallbackQuery, setMyCommands, getMyCommands,
  getChatMember, getChatAdministrators,
  getBusinessConnection, postStory,
  sendMessage, editMessageText, sendPhoto, deleteMessage, sendChatAction,
  setWebhook, deleteWebhook, getWebhookInfo, getUpdates,
};

const BY_LOWER_NAME = new Map(Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));

/** Method names are case-insensitive in the Bot API; answers the canonical name and its handler. */
export function methodNamed(name: string): { readonly name: string; readonly handler: MethodHandler } | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

/** Methods Telegram's message limits count: a bot sending or editing a message in a chat. */
export function isLimitedMethod(name: string): boolean {
  const lower = name.toLowerCase();
  return lower !== 'sendchataction' && (lower.startsWith('send') || lower.startsWith('editmessage') || lower.startsWith('copymessage') || lower.startsWith('forwardmessage'));
}
