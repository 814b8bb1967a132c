import { renderGreeting } from '../greeting.js';
import type { Reply } from '../replies/reply.js';
import type { IncomingMessage } from '../updates/incoming.js';

/** The child bot as its reply logic sees it. */
export interface ChildBotView {
  readonly botId: bigint;
  readonly username: string;
  readonly greeting: string;
}

export interface ChildBotDecision {
  /** The user to count in the bot's audience, if any. */
  readonly audienceMember: bigint | undefined;
  readonly replies: readonly Reply[];
}

const NOTHING: ChildBotDecision = { audienceMember: undefined, replies: [] };

function isStartCommand(text: string | undefined, username: string): boolean {
  if (text === undefined) return false;
  const command = text.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  return command === '/start' || command === `/start@${username.toLowerCase()}`;
}

/**
 * The legacy hello_bot: every person who writes to the bot joins its audience; in a private chat
 * the bot answers each message with its owner's greeting, in a group only /start (so it does
 * not answer every message of a busy group). Other bots and channel posts are ignored.
 */
export function childBotReply(message: IncomingMessage | undefined, bot: ChildBotView): ChildBotDecision {
  const sender = message?.sender;
  if (message === undefined || sender === undefined || sender.isBot || message.chatType === 'channel') return NOTHING;
  const answers = message.chatType === 'private' || isStartCommand(message.text, bot.username);
  return {
    audienceMember: sender.id,
    replies: answers ? [{ chatId: message.chatId, text: renderGreeting(bot.greeting, sender.firstName) }] : [],
  };
}
