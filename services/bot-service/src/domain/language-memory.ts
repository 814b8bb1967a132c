import type { GetUserRequest, GetUserResponse, SetUserLanguageRequest, SetUserLanguageResponse, UpsertUserRequest, UpsertUserResponse, User } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import type { UserRegistry } from './users.js';

/** People remembered by default: a few MB at most (a bigint key and a short string each). */
export const DEFAULT_REMEMBERED_PEOPLE = 100_000;

/**
 * The users context's registry, remembering each person's chosen language from its answers, so a
 * child bot on its built-in greeting can speak to a person it has seen before without waiting for
 * this update's svc.user.upsert (issue 20: on the fleet that wait is a NATS request and the user
 * service's statement, the longest step before the reply).
 *
 * What a remembered choice may miss: a /language change this process did not make and has not yet
 * seen in an answer (another replica's main bot, or the monolith's during a migration). The
 * registration of the update answered in the old language runs as always and its answer updates
 * the memory, so such a person gets at most one greeting in the previous language per bot-service
 * process, after each change. A change made through this registry is remembered at once.
 *
 * Bounded: the least recently answered person is forgotten first (a Map keeps insertion order, and
 * each answer re-inserts its person).
 */
export class LanguageMemory implements UserRegistry {
  private readonly chosen = new Map<bigint, string>();
  /** Each request's place in order, and the place of each person's last language change: an answer to a request begun before that change is not remembered. */
  private requests = 0;
  private readonly changedAt = new Map<bigint, number>();

  constructor(
    private readonly users: UserRegistry,
    private readonly capacity = DEFAULT_REMEMBERED_PEOPLE,
  ) {}

  /** The person's chosen language as last answered ('' for none chosen), or undefined when this process has no answer about them. */
  rememberedChoice(telegramId: bigint): string | undefined {
    return this.chosen.get(telegramId);
  }

  async upsert(request: UpsertUserRequest, ctx: HandlerContext): Promise<UpsertUserResponse> {
    const begun = ++this.requests;
    const answer = await this.users.upsert(request, ctx);
    this.remember(answer.user, begun);
    return answer;
  }

  async get(request: GetUserRequest, ctx: HandlerContext): Promise<GetUserResponse> {
    const begun = ++this.requests;
    const answer = await this.users.get(request, ctx);
    this.remember(answer.user, begun);
    return answer;
  }

  async setLanguage(request: SetUserLanguageRequest, ctx: HandlerContext): Promise<SetUserLanguageResponse> {
    // Forgotten first: a greeting decided while the change is in flight waits for an answer
    // instead of using the choice being replaced; and an upsert begun before the change and
    // answered after it carries the old choice, so its answer is not remembered.
    const begun = ++this.requests;
    this.chosen.delete(request.telegramId);
    bounded(this.changedAt, request.telegramId, begun, this.capacity);
    const answer = await this.users.setLanguage(request, ctx);
    this.remember(answer.user, begun);
    return answer;
  }

  private remember(user: User | undefined, begun: number): void {
    if (user === undefined || begun < (this.changedAt.get(user.telegramId) ?? 0)) return;
    bounded(this.chosen, user.telegramId, user.chosenLanguage, this.capacity);
  }
}

/** Sets `key` as the map's newest entry and forgets its oldest one past `capacity`. */
function bounded<V>(map: Map<bigint, V>, key: bigint, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size <= capacity) return;
  const oldest = map.keys().next();
  if (oldest.done !== true) map.delete(oldest.value);
}
