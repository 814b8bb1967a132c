/**
 * The language a person reads, asked of the users context over the bus (svc.user.get): their
 * /language choice, else their Telegram app's language_code (@nova/i18n's chooseLocale). Used by
 * the contexts that write to a person outside their conversation (a publication's report, a
 * subscription reminder), so each recipient is written to in their own language, not the
 * sender's. Routed by the person, as every svc.user request (stage 2 moves users chat by chat).
 */
import type { Bus } from '@nova/bus';
import { ErrorCode } from '@nova/contracts';
import { DomainError } from '@nova/domain';
import { chooseLocale, type Locale } from '@nova/i18n';
import { toDomainError } from './errors.js';

export interface UserLocales {
  /** English for a user the users context never saw; a transport failure is thrown as a retryable DomainError. */
  localeOf(telegramId: bigint): Promise<Locale>;
}

export function busUserLocales(bus: Pick<Bus, 'request'>, timeoutMs?: number): UserLocales {
  return {
    async localeOf(telegramId) {
      try {
        const answer = await bus.request('svc.user.get', { telegramId }, { routingKey: telegramId, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
        return chooseLocale(answer.user?.chosenLanguage, answer.user?.languageCode);
      } catch (error) {
        const failure = toDomainError(error);
        if (failure instanceof DomainError && failure.code === ErrorCode.NOT_FOUND) return chooseLocale(undefined, undefined);
        throw failure;
      }
    },
  };
}
