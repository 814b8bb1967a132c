import { systemClock, type Clock, type ContextHandlers, type EventPublisher } from '@nova/domain';
import type { UserDatabase } from './database.js';
import { getUserHandler } from './get-user.js';
import { listRecipientsHandler } from './list-recipients.js';
import { searchUsersHandler } from './search-users.js';
import { setUserBlockedHandler } from './set-user-blocked.js';
import { setUserLanguageHandler } from './set-user-language.js';
import { upsertUserHandler } from './upsert-user.js';
import { userStatsHandler } from './user-stats.js';

export interface UserContextDeps {
  readonly db: UserDatabase;
  /** Where nova.user.registered goes once committed (JetStream, or the monolith's in-process bus). */
  readonly publisher: EventPublisher;
  readonly clock?: Clock;
}

/** The users context's request handlers, keyed like METHODS.user: svc.user.get → get. */
export function createUserHandlers(deps: UserContextDeps): ContextHandlers<'user'> {
  const clock = deps.clock ?? systemClock;
  return {
    get: getUserHandler(deps.db),
    upsert: upsertUserHandler({ db: deps.db, publisher: deps.publisher, clock }),
    stats: userStatsHandler(deps.db, clock),
    search: searchUsersHandler(deps.db),
    set_blocked: setUserBlockedHandler(deps.db, clock),
    list_recipients: listRecipientsHandler(deps.db),
    set_language: setUserLanguageHandler(deps.db),
  };
}
