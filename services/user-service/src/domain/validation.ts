import { effectKey, telegramId, text } from '@nova/domain';
import type { UpsertUserRequest } from '@nova/contracts';

/** An upsert request once checked: optional fields are undefined rather than empty. */
export interface UpsertInput {
  readonly telegramId: bigint;
  readonly firstName: string;
  readonly lastName: string | undefined;
  readonly username: string | undefined;
  readonly languageCode: string | undefined;
  readonly botId: bigint;
  readonly effectKey: string | undefined;
}

// Telegram's own limits are lower (names 64, usernames 32); these only keep garbage out.
const NAME = { max: 256 } as const;
const USERNAME = { max: 64, pattern: /^[A-Za-z0-9_]+$/, patternHint: 'letters, digits and underscores' } as const;
const LANGUAGE = { max: 35, pattern: /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, patternHint: 'an IETF language tag' } as const;

export function upsertInput(request: UpsertUserRequest): UpsertInput {
  return {
    telegramId: telegramId(request.telegramId, 'telegram_id'),
    firstName: text(request.firstName, 'first_name', { ...NAME, required: true }) ?? '',
    lastName: text(request.lastName, 'last_name', NAME),
    username: text(request.username, 'username', USERNAME),
    languageCode: text(request.languageCode, 'language_code', LANGUAGE),
    botId: telegramId(request.botId, 'bot_id'),
    effectKey: effectKey(request.effectKey),
  };
}
