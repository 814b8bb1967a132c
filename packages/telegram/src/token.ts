/**
 * Bot tokens are credentials: anyone holding one controls the bot. Nothing Nova writes (logs,
 * errors, metric labels, span attributes) may contain one; the bot id (the number before ':')
 * names a bot instead.
 */
import { InvalidBotTokenError } from './errors.js';

/** `<bot id>:<secret>`; Telegram's secrets are 35 characters of [A-Za-z0-9_-]. */
export const BOT_TOKEN_PATTERN = /^(\d{1,20}):([A-Za-z0-9_-]{30,64})$/u;

/** Anything in free text that looks like a token (also inside URLs such as /bot<token>/getMe). */
const TOKEN_IN_TEXT = /(\d{1,20}):[A-Za-z0-9_-]{30,64}/gu;

/** The bot id of a well-formed token; throws InvalidBotTokenError (without the token) otherwise. */
export function botIdOf(token: string): string {
  const match = BOT_TOKEN_PATTERN.exec(token);
  if (match?.[1] === undefined) throw new InvalidBotTokenError();
  return match[1];
}

/** True when `token` has the shape of a Telegram bot token. */
export function isBotToken(token: string): boolean {
  return BOT_TOKEN_PATTERN.test(token);
}

/**
 * Replaces every token-shaped substring of `text` with `<bot id>:***`, and every occurrence of the
 * given `tokens` (which may not look like Telegram's) with `***`. Use it on any text that may carry
 * a token before it is logged or thrown: a URL, a library's error message.
 */
export function redactToken(text: string, ...tokens: readonly string[]): string {
  let redacted = text;
  for (const token of tokens) {
    if (token.length > 0) redacted = redacted.split(token).join(tokenShape(token));
  }
  return redacted.replace(TOKEN_IN_TEXT, '$1:***');
}

function tokenShape(token: string): string {
  const match = BOT_TOKEN_PATTERN.exec(token);
  return match?.[1] === undefined ? '***' : `${match[1]}:***`;
}
