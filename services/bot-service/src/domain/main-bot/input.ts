/** What a message to the main bot asks for, as the router (main-bot/router.ts) reads it. */
export type MainBotCommand = 'start' | 'help' | 'cancel' | 'add' | 'list' | 'remove' | 'greeting' | 'language';

export type MainBotInput =
  /** A slash command or a menu button. */
  | { readonly kind: 'command'; readonly command: MainBotCommand }
  /** Any other text, trimmed. */
  | { readonly kind: 'text'; readonly text: string }
  /** A message without text (sticker, photo, ...). */
  | { readonly kind: 'other' };
