import { create } from '@bufbuild/protobuf';
import { SetUserLanguageResponseSchema, type SetUserLanguageRequest, type SetUserLanguageResponse } from '@nova/contracts';
import { InvalidArgumentError, NotFoundError, telegramId, type HandlerContext } from '@nova/domain';
import type { UserDatabase } from './database.js';
import { userMessage } from './mapping.js';

/** The languages a person can choose (@nova/i18n's Locale); empty forgets the choice. */
const CHOSEN = new Set(['en', 'ru']);

/**
 * A person chose the language the main bot speaks with them (/language). Setting the language
 * they already have changes nothing (a repeated update, a retried request): no effect key needed.
 */
export function setUserLanguageHandler(db: UserDatabase) {
  return async (request: SetUserLanguageRequest, _ctx: HandlerContext): Promise<SetUserLanguageResponse> => {
    const id = telegramId(request.telegramId, 'telegram_id');
    if (request.language !== '' && !CHOSEN.has(request.language)) {
      throw new InvalidArgumentError(`language must be "en", "ru" or empty, not ${JSON.stringify(request.language.slice(0, 16))}`, { field: 'language' });
    }
    const chosenLanguage = request.language === '' ? null : request.language;
    const updated = await db.user.updateManyAndReturn({ where: { telegramId: id }, data: { chosenLanguage } });
    const user = updated[0];
    if (user === undefined) throw new NotFoundError(`no user with telegram id ${id}`, { telegram_id: id.toString() });
    return create(SetUserLanguageResponseSchema, { user: userMessage(user) });
  };
}
