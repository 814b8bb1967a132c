import { DeadlineExceededError } from './errors.js';
import type { ContextName, MethodName, RequestMessage, ResponseMessage, ServiceSubject } from '@nova/contracts';

/** What a transport hands a handler beside the request. */
export interface HandlerContext {
  /**
   * Aborted when the caller stopped waiting (request timeout) or the process is draining.
   * Handlers check it before effects outside their database (e.g. a Telegram call).
   */
  readonly signal?: AbortSignal;
  /** When the caller stops waiting (ms since the epoch), when it said; `signal` aborts then. */
  readonly deadline?: number;
}

/** A request handler: a plain async function over the protobuf messages of one rpc. */
export type Handler<S extends ServiceSubject> = (request: RequestMessage<S>, ctx: HandlerContext) => Promise<ResponseMessage<S>>;

/**
 * One context's handlers keyed by the method names of subjects.ts, so a transport binds them by
 * iterating `METHODS[context]`: `svc.user.get` → `handlers.get`.
 */
export type ContextHandlers<C extends ContextName> = {
  readonly [M in MethodName<C>]: `svc.${C}.${M}` extends ServiceSubject ? Handler<`svc.${C}.${M}`> : never;
};

/** The wall clock, injectable so tests can place rows in time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Stops before an effect outside the database when the caller is gone (ctx.signal aborted). */
export function throwIfAborted(ctx: HandlerContext, before: string): void {
  if (ctx.signal?.aborted === true) throw new DeadlineExceededError(`the caller stopped waiting; stopped before ${before}`);
}
