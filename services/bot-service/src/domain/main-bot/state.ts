/** Where a user's private chat with the main bot stands: the menu, or one question asked. */
export type ConversationState =
  | { readonly step: 'idle' }
  | { readonly step: 'awaiting_token' }
  | { readonly step: 'choosing_bot_to_remove' }
  | { readonly step: 'choosing_bot_for_greeting' }
  | { readonly step: 'awaiting_greeting'; readonly botId: bigint };

export const IDLE: ConversationState = { step: 'idle' };
