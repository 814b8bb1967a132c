/**
 * nats.js (nats-core 3.4) ends every request it multiplexes by calling `RequestOne.cancel()`, also
 * after the reply resolved it, and `cancel()` without an argument rejects the (already settled)
 * promise with `new RequestError("cancelled")`: an Error, and its stack capture, thrown away on
 * every request and every JetStream publish (a publish is a request for its ack), whatever
 * `noAsyncTraces` says. In two profiles at 200 msg/s (issue 20, bench/README.md part 5): 3-12 % of
 * the webhook gateway's busy time, 0.4-0.5 % of the bot service's.
 *
 * Wrapped once per process: a cancel without a reason passes one shared "cancelled" error instead.
 * Should such a cancel ever reach a request still pending, its caller gets that shared
 * RequestError, whose stack names this module instead of the call; the bus' own errors
 * (RequestTimeoutError, NoRespondersError, PublishTimeoutError) are what say which subject failed.
 */
import { RequestError, RequestOne } from '@nats-io/nats-core/internal';

const CANCELLED = new RequestError('cancelled');
const WRAPPED = Symbol.for('nova.bus.requestCancelWithoutNewError');

interface Wrappable {
  cancel: (this: unknown, err?: Error) => void;
  [WRAPPED]?: true;
}

/** Idempotent: a second call (another copy of this module) finds the wrapper in place. */
export function cancelRequestsWithoutNewErrors(prototype: Wrappable = RequestOne.prototype): void {
  if (prototype[WRAPPED] === true) return;
  const cancel = prototype.cancel;
  prototype.cancel = function cancelWithSharedError(this: unknown, err?: Error): void {
    cancel.call(this, err ?? CANCELLED);
  };
  prototype[WRAPPED] = true;
}

/** The error a cancel without a reason passes on (tests compare with it). */
export const SHARED_CANCELLED_ERROR: Error = CANCELLED;
