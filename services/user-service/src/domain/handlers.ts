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
   * Asks for the outbox to be published after a commit that wrote an event, without waiting (a
   * registration answers after its commit: upsert-user.ts). Default: requestSoon on one
   * CoalescedFlush of this context's outbox per call of createUserHandlers, failures left pending
   * for the next flush (the wiring passes the process's one, which logs them). A plain flush per
   * commit made N concurrent registrations publish and mark every pending row each (up to N²
   * round trips: test/domain/user-service).
   */
  readonly publishOutboxSoon?: () => void;
}

/** The users context's request handlers, keyed like METHODS.user: svc.user.get → get. */
export function createUserHandlers(deps: UserContextDeps): ContextHandlers<'user'> {
  const clock = deps.clock ?? systemClock;
  const publishOutboxSoon = deps.publishOutboxSoon ?? coalescedFlush(deps);
  return {
    get: getUserHandler(deps.db),
    upsert: upsertUserHandler({ db: deps.db, clock, publishOutboxSoon }),
    stats: userStatsHandler(deps.db, clock),
    search: searchUsersHandler(deps.db),
    set_blocked: setUserBlockedHandler(deps.db, clock),
    list_recipients: listRecipientsHandler(deps.db),
    set_language: setUserLanguageHandler(deps.db),
  };
}

function coalescedFlush(deps: UserContextDeps): () => void {
  const flusher = new CoalescedFlush(() => flushUserOutbox(deps.db, deps.publisher));
  // Without a logger here: a failed publish leaves its rows pending, and the next flush retries them.
  return () => { flusher.requestSoon(() => undefined); };
}
