import { create } from '@bufbuild/protobuf';
import { ErrorCode, GetUserRequestSchema, SetUserLanguageRequestSchema, UpsertUserRequestSchema, type GetUserRequest, type GetUserResponse, type SetUserLanguageRequest, type SetUserLanguageResponse, type UpsertUserRequest, type UpsertUserResponse, type User } from '@nova/contracts';
import { DomainError, isRetryable, type HandlerContext } from '@nova/domain';
import { chooseLocale, type Locale } from '@nova/i18n';
import type { IncomingSender } from './updates/incoming.js';

/**
 * The users context as the bots context needs it: svc.user.upsert over NATS in the service, the
 * user-service's handler itself in the monolith.
 */
export interface UserRegistry {
  upsert(request: UpsertUserRequest, ctx: HandlerContext): Promise<UpsertUserResponse>;
  /** svc.user.get: a NotFoundError-coded DomainError when the user was never seen. */
  get(request: GetUserRequest, ctx: HandlerContext): Promise<GetUserResponse>;
  /** svc.user.set_language: the person's chosen language ("en", "ru"). */
  setLanguage(request: SetUserLanguageRequest, ctx: HandlerContext): Promise<SetUserLanguageResponse>;
}

/**
 * created: first sight; known: seen before; blocked: seen before and blocked by an admin (the
 * main bot ignores them); refused: the users context rejected the sender's data (not retried).
 */
export type Registration = 'created' | 'known' | 'blocked' | 'refused' | 'none';

/**
 * Records the sender with the users context, keyed by the update's msgID so a redelivered update
 * registers nobody twice. A refusal of the data (a non-retryable error) does not stop the bot
 * from answering; a transient failure is thrown so the update is retried.
 */
export async function registerSender(
  users: UserRegistry,
  sender: IncomingSender | undefined,
  botId: bigint,
  effectKey: string,
  ctx: HandlerContext,
): Promise<Registration> {
  return (await registerSenderSpeaking(users, sender, botId, effectKey, ctx)).registration;
}

/** A registration and the language to answer the sender in. */
export interface SpeakingRegistration {
  readonly registration: Registration;
  /** Their chosen language when the users context has one, else their Telegram app's. */
  readonly locale: Locale;
}

/** The locale a known user is spoken to in: their choice, else their Telegram app's language. */
export function localeOfUser(user: Pick<User, 'chosenLanguage' | 'languageCode'> | undefined): Locale {
  return chooseLocale(user?.chosenLanguage, user?.languageCode);
}

/** registerSender, also reading the language the users context has for the sender. */
export async function registerSenderSpeaking(
  users: UserRegistry,
  sender: IncomingSender | undefined,
  botId: bigint,
  effectKey: string,
  ctx: HandlerContext,
): Promise<SpeakingRegistration> {
  const fromTelegram = chooseLocale(undefined, sender?.languageCode);
  if (sender === undefined || sender.isBot) return { registration: 'none', locale: fromTelegram };
  const request = create(UpsertUserRequestSchema, {
    telegramId: sender.id,
    firstName: sender.firstName,
    lastName: sender.lastName ?? '',
    username: sender.username ?? '',
    languageCode: sender.languageCode ?? '',
    botId,
    effectKey,
  });
  try {
    const answer = await users.upsert(request, ctx);
    const locale = chooseLocale(answer.user?.chosenLanguage, sender.languageCode);
    if (answer.user?.blocked === true) return { registration: 'blocked', locale };
    return { registration: answer.created ? 'created' : 'known', locale };
  } catch (error) {
    if (isRetryable(error)) throw error;
    return { registration: 'refused', locale: fromTelegram };
  }
}

/**
 * The locale to speak to a user in outside an update (a payment notice): what the users context
 * has for them; English for a user it never saw. A transient failure is thrown (retried).
 */
export async function localeOfRecipient(users: UserRegistry, telegramId: bigint, ctx: HandlerContext): Promise<Locale> {
  try {
    const answer = await users.get(create(GetUserRequestSchema, { telegramId }), ctx);
    return localeOfUser(answer.user);
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND) return localeOfUser(undefined);
    throw error;
  }
}

/** Stores a person's chosen language with the users context. */
export async function storeChosenLanguage(users: UserRegistry, telegramId: bigint, locale: Locale, ctx: HandlerContext): Promise<void> {
  await users.setLanguage(create(SetUserLanguageRequestSchema, { telegramId, language: locale }), ctx);
}
