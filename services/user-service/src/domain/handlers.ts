import { CoalescedFlush, systemClock, type Clock, type ContextHandlers, type EventPublisher } from '@nova/domain';
import type { UserDatabase } from './database.js';
import { getUserHandler } from './get-user.js';
import { flushUserOutbox } from './outbox-store.js';
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
  /**
   * Publishes the outbox after a commit that wrote an event. Default: one CoalescedFlush of this
   * context's outbox per call of createUserHandlers (the wiring passes the process's one). A plain
   * flush per commit made N concurrent registrations publish and mark every pending row each (up
   * to N² round trips), and each upsert's answer waited for all of them (test/domain/user-service).
   */
  readonly flushOutbox?: () => Promise<unknown>;
}

/** The users context's request handlers, keyed like METHODS.user: svc.user.get → get. */
export function createUserHandlers(deps: UserContextDeps): ContextHandlers<'user'> {
  const clock = deps.clock ?? systemClock;
  const flushOutbox = deps.flushOutbox ?? coalescedFlush(deps);
  return {
    get: getUserHandler(deps.db),
    upsert: upsertUserHandler({ db: deps.db, clock, flushOutbox }),
    stats: userStatsHandler(deps.db, clock),
    search: searchUsersHandler(deps.db),
    set_blocked: setUserBlockedHandler(deps.db, clock),
    list_recipients: listRecipientsHandler(deps.db),
    set_language: setUserLanguageHandler(deps.db),
  };
}

function coalescedFlush(deps: UserContextDeps): () => Promise<void> {
  const flusher = new CoalescedFlush(() => flushUserOutbox(deps.db, deps.publisher));
  return () => flusher.request();
}
