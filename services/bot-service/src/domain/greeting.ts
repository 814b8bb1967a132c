import { text } from '@nova/domain';

/** What a new child bot answers until its owner changes it. */
export const DEFAULT_GREETING = 'Hello, {name}! 👋';

/** Replaced by the first name of the user being greeted. */
export const NAME_PLACEHOLDER = '{name}';

/** Telegram's limit for a message text. */
export const MAX_MESSAGE_LENGTH = 4096;

/** A greeting as the owner typed it: 1-4096 characters, not only blanks. */
export function validGreeting(value: string): string {
  const greeting = text(value, 'greeting', { max: MAX_MESSAGE_LENGTH, required: true, pattern: /\S/, patternHint: 'more than blanks' });
  return greeting ?? '';
}

/** The text a user receives: the placeholder filled in, cut to Telegram's limit without splitting a character. */
export function renderGreeting(greeting: string, firstName: string): string {
  const rendered = greeting.replaceAll(NAME_PLACEHOLDER, firstName);
  if (rendered.length <= MAX_MESSAGE_LENGTH) return rendered;
  let cut = MAX_MESSAGE_LENGTH;
  const last = rendered.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return rendered.slice(0, cut);
}
