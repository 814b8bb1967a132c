/**
 * busUserLocales on the in-process bus (the monolith's), in front of users-context handlers that
 * answer like the real ones (get: a user, or NOT_FOUND): the language a person reads, English for
 * one never seen, and a retryable failure when no one answers (never a guessed language).
 */
import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { createInProcessBus } from '@nova/bus';
import { GetUserResponseSchema, ListRecipientsResponseSchema, SearchUsersResponseSchema, SetUserBlockedResponseSchema, SetUserLanguageResponseSchema, UpsertUserResponseSchema, UserStatsResponseSchema } from '@nova/contracts';
import { isRetryable, NotFoundError, type ContextHandlers } from '@nova/domain';
import { createLogger, Metrics } from '@nova/platform';
import { Writable } from 'node:stream';
import { serveContext } from './serve-context.js';
import { busUserLocales } from './user-locales.js';

function quietBus() {
  const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  return createInProcessBus({ metrics: new Metrics({ namespace: 'test', side: 'legacy', defaults: false }), logger, requestTimeoutMs: 2_000 });
}

const PEOPLE = new Map([
  [1n, { chosenLanguage: '', languageCode: 'ru' }],
  [2n, { chosenLanguage: 'ru', languageCode: 'en' }],
  [3n, { chosenLanguage: 'en', languageCode: 'uk' }],
  [4n, { chosenLanguage: '', languageCode: 'de' }],
]);

const handlers: ContextHandlers<'user'> = {
  get: (request) => {
    const person = PEOPLE.get(request.telegramId);
    if (person === undefined) return Promise.reject(new NotFoundError(`no user ${request.telegramId.toString()}`, { telegram_id: request.telegramId.toString() }));
    return Promise.resolve(create(GetUserResponseSchema, { user: { telegramId: request.telegramId, ...person } }));
  },
  upsert: () => Promise.resolve(create(UpsertUserResponseSchema, {})),
  stats: () => Promise.resolve(create(UserStatsResponseSchema, {})),
  search: () => Promise.resolve(create(SearchUsersResponseSchema, {})),
  set_blocked: () => Promise.resolve(create(SetUserBlockedResponseSchema, {})),
  list_recipients: () => Promise.resolve(create(ListRecipientsResponseSchema, {})),
  set_language: () => Promise.resolve(create(SetUserLanguageResponseSchema, {})),
};

describe('busUserLocales', () => {
  it("answers each person's language: their choice, else their app's; English for someone never seen", async () => {
    const bus = quietBus();
    await serveContext(bus, 'user', handlers);
    const locales = busUserLocales(bus);
    expect(await Promise.all([1n, 2n, 3n, 4n, 99n].map((id) => locales.localeOf(id)))).toEqual(['ru', 'ru', 'en', 'en', 'en']);
  });

  it('fails retryably when the users context does not answer', async () => {
    const error = await busUserLocales(quietBus()).localeOf(1n).then(() => undefined, (failure: unknown) => failure);
    expect(isRetryable(error)).toBe(true);
  });
});
