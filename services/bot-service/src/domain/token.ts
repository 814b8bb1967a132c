import { InvalidArgumentError } from '@nova/domain';

/**
 * Bot tokens as @BotFather issues them: `<bot id>:<secret>`, the secret 35 characters of
 * [A-Za-z0-9_-] today. The length range is kept loose so a future format is not refused here;
 * Telegram's getMe has the last word.
 */
const TOKEN_SHAPE = /^([1-9]\d{0,15}):[A-Za-z0-9_-]{30,64}$/;
/** Anything token-like inside a longer text, for redaction. */
const TOKEN_ANYWHERE = /\d{1,16}:[A-Za-z0-9_-]{30,}/g;
const MAX_BOT_ID = 2n ** 52n;

export const REDACTED_TOKEN = '<bot token>';

/** Text that is not a bot token. The message never repeats the text: it may be a token with a typo. */
export class InvalidBotTokenError extends InvalidArgumentError {
  override readonly name = 'InvalidBotTokenError';
  constructor() {
    super('that is not a bot token (expected <bot id>:<secret> as @BotFather gives it)', { field: 'token' });
  }
}

export interface ParsedBotToken {
  readonly botId: bigint;
  /** The token, trimmed. */
  readonly token: string;
}

/** Checks the token's shape (not its validity: that takes Telegram's getMe). */
export function parseBotToken(text: string): ParsedBotToken {
  const token = text.trim();
  const match = TOKEN_SHAPE.exec(token);
  if (match?.[1] === undefined) throw new InvalidBotTokenError();
  const botId = BigInt(match[1]);
  if (botId >= MAX_BOT_ID) throw new InvalidBotTokenError();
  return { botId, token };
}

export function looksLikeBotToken(text: string): boolean {
  return TOKEN_SHAPE.test(text.trim());
}

/** Replaces every token-shaped substring (and the given tokens, whatever their shape) by a marker. */
export function redactBotTokens(text: string, ...known: readonly string[]): string {
  let result = text;
  for (const token of known) if (token !== '') result = result.replaceAll(token, REDACTED_TOKEN);
  return result.replace(TOKEN_ANYWHERE, REDACTED_TOKEN);
}
