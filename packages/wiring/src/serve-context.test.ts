/**
 * Domain handlers served on the (in-process) bus answer like the domain: a DomainError reaches
 * the caller with its code, message, details and context; anything else is INTERNAL with its
 * text hidden; the caller's deadline reaches the handler as an aborting signal; and the caller's
 * domain sees the failures as domain errors again.
 */
import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { createInProcessBus, InternalError, NotFoundError as BusNotFoundError, ServiceCallError } from '@nova/bus';
import { ErrorCode, GetUserResponseSchema, ListRecipientsResponseSchema, SearchUsersResponseSchema, SetUserBlockedResponseSchema, SetUserLanguageResponseSchema, UpsertUserResponseSchema, UserStatsResponseSchema } from '@nova/contracts';
import { DeadlineExceededError, NotFoundError, RemoteDomainError, UnavailableError, isRetryable, type ContextHandlers } from '@nova/domain';
import { createLogger, Metrics } from '@nova/platform';
import { Writable } from 'node:stream';
import { toDomainError } from './errors.js';
import { serveContext } from './serve-context.js';

function quietBus() {
  const logger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  return createInProcessBus({ metrics: new Metrics({ namespace: 'test', side: 'legacy', defaults: false }), logger, requestTimeoutMs: 2_000 });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('serveContext', () => {
  it('carries domain errors, hides other errors, and passes the deadline as a signal', async () => {
    const bus = quietBus();
    let signalSeen: AbortSignal | undefined;
    const handlers: ContextHandlers<'user'> = {
      get: (request, ctx) => {
        signalSeen = ctx.signal;
        if (request.telegramId === 404n) return Promise.reject(new NotFoundError('no user 404', { telegram_id: '404' }));
        if (request.telegramId === 500n) return Promise.reject(new Error('connect ECONNREFUSED postgresql://nova:hunter22@db/nova'));
        return Promise.resolve(create(GetUserResponseSchema, { user: { telegramId: request.telegramId, firstName: 'Ann' } }));
      },
      upsert: () => Promise.resolve(create(UpsertUserResponseSchema, {})),
      stats: () => Promise.resolve(create(UserStatsResponseSchema, {})),
      search: () => Promise.resolve(create(SearchUsersResponseSchema, {})),
      set_blocked: () => Promise.resolve(create(SetUserBlockedResponseSchema, {})),
      list_recipients: () => Promise.resolve(create(ListRecipientsResponseSchema, {})),
      set_language: () => Promise.resolve(create(SetUserLanguageResponseSchema, {})),
    };
    await serveContext(bus, 'user', handlers);

    expect((await bus.request('svc.user.get', { telegramId: 7n }, { timeoutMs: 1_500 })).user?.firstName).toBe('Ann');
    expect(signalSeen?.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(signalSeen?.aborted).toBe(true);

    const notFound = await failure(bus.request('svc.user.get', { telegramId: 404n }));
    expect(notFound).toBeInstanceOf(BusNotFoundError);
    expect(notFound).toMatchObject({ code: ErrorCode.NOT_FOUND, message: 'no user 404', details: { telegram_id: '404' }, service: 'user' });
    const remote = toDomainError(notFound);
    expect(remote).toBeInstanceOf(RemoteDomainError);
    expect(remote).toMatchObject({ code: ErrorCode.NOT_FOUND, service: 'user' });
    expect(isRetryable(remote)).toBe(false);

    const internal = await failure(bus.request('svc.user.get', { telegramId: 500n }));
    expect(internal).toBeInstanceOf(InternalError);
    expect((internal as ServiceCallError).message).not.toContain('hunter22');
    expect(isRetryable(toDomainError(internal))).toBe(true);
    await bus.close();
  });

  it('turns transport failures into retryable domain errors', async () => {
    const bus = quietBus();
    const noResponders = toDomainError(await failure(bus.request('svc.user.get', { telegramId: 1n })));
    expect(noResponders).toBeInstanceOf(UnavailableError);
    expect(isRetryable(noResponders)).toBe(true);
    await serveContext(bus, 'user', {
      get: () => new Promise(() => undefined),
      upsert: () => Promise.resolve(create(UpsertUserResponseSchema, {})),
      stats: () => Promise.resolve(create(UserStatsResponseSchema, {})),
      search: () => Promise.resolve(create(SearchUsersResponseSchema, {})),
      set_blocked: () => Promise.resolve(create(SetUserBlockedResponseSchema, {})),
      list_recipients: () => Promise.resolve(create(ListRecipientsResponseSchema, {})),
      set_language: () => Promise.resolve(create(SetUserLanguageResponseSchema, {})),
    });
    const timeout = toDomainError(await failure(bus.request('svc.user.get', { telegramId: 1n }, { timeoutMs: 50 })));
    expect(timeout).toBeInstanceOf(DeadlineExceededError);
    expect(isRetryable(timeout)).toBe(true);
    await bus.close();
  });
});
