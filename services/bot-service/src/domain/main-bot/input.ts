import { BUTTONS } from './texts.js';

export type MainBotCommand = 'start' | 'help' | 'cancel' | 'add' | 'list' | 'remove' | 'greeting';

export type MainBotInput =
  | { readonly kind: 'command'; readonly command: MainBotCommand }
  | { readonly kind: 'text'; readonly text: string }
  /** A message without text (sticker, photo, ...). */
  | { readonly kind: 'other' };

// Maps, not object literals: "/constructor" must not find Object.prototype's.
const SLASH_COMMANDS: ReadonlyMap<string, MainBotCommand> = new Map([
  ['start', 'start'],
  ['help', 'help'],
  ['cancel', 'cancel'],
  ['add', 'add'],
  ['newbot', 'add'],
  ['bots', 'list'],
  ['list', 'list'],
  ['remove', 'remove'],
  ['greeting', 'greeting'],
]);

const BUTTON_COMMANDS: ReadonlyMap<string, MainBotCommand> = new Map([
  [BUTTONS.add, 'add'],
  [BUTTONS.list, 'list'],
  [BUTTONS.greeting, 'greeting'],
  [BUTTONS.remove, 'remove'],
  [BUTTONS.cancel, 'cancel'],
]);

/** What a message to the main bot asks for: a command (typed or a menu button) or free text. */
export function mainBotInput(text: string | undefined): MainBotInput {
  if (text === undefined) return { kind: 'other' };
  const trimmed = text.trim();
  const button = BUTTON_COMMANDS.get(trimmed);
  if (button !== undefined) return { kind: 'command', command: button };
  // "/start", "/start payload", "/start@NovaBot": the word after the slash, without a bot suffix.
  const slash = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s|$)/.exec(trimmed);
  const command = slash?.[1] === undefined ? undefined : SLASH_COMMANDS.get(slash[1].toLowerCase());
  if (command !== undefined) return { kind: 'command', command };
  return { kind: 'text', text: trimmed };
}
