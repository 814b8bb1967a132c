import { renderGreeting } from '../greeting.js';
import type { Reply } from '../replies/reply.js';
import type { IncomingMessage, IncomingSender } from '../updates/incoming.js';

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

/** A person wrote to the bot (not another bot, not a channel post): they join its audience. */
export function audienceMemberOf(message: IncomingMessage | undefined): IncomingSender | undefined {
  const sender = message?.sender;
  if (message === undefined || sender === undefined || sender.isBot || message.chatType === 'channel') return undefined;
  return sender;
}

/** A greeting (the owner's, or the built-in one in the writer's language) for the person who wrote, in the chat they wrote in. */
export function greetingReply(greeting: string, message: IncomingMessage, sender: IncomingSender): Reply {
  return { chatId: message.chatId, text: renderGreeting(greeting, sender.firstName) };
}
