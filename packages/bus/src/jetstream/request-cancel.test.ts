import { describe, expect, it } from '@jest/globals';
import { RequestOne, type Msg } from '@nats-io/nats-core/internal';
import { cancelRequestsWithoutNewErrors, SHARED_CANCELLED_ERROR } from './request-cancel.js';

describe('cancelRequestsWithoutNewErrors', () => {
  it('makes nats.js end an answered request without building a new Error (one shared error for every reasonless cancel)', async () => {
    cancelRequestsWithoutNewErrors();
    const reasons: unknown[] = [];
    const answered = async (): Promise<void> => {
      const request = new RequestOne({ cancel: () => undefined } as never, 'svc.user.upsert', { timeout: 5_000 }, false);
      const reject = request.deferred.reject.bind(request.deferred);
      request.deferred.reject = (reason?: unknown) => { reasons.push(reason); reject(reason); };
      const reply = { subject: '_INBOX.x' } as Msg;
      // What nats.js does with a reply: the resolver settles the request, then cancels it.
      request.resolver(null, reply);
      expect(await request.deferred).toBe(reply);
    };
    await answered();
    await answered();
    // Before: a new RequestError("cancelled") per request (nats-core 3.4's RequestOne.cancel).
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBe(SHARED_CANCELLED_ERROR);
    expect(reasons[1]).toBe(SHARED_CANCELLED_ERROR);
  });

  it('passes a cancel\'s own reason on, and wraps a prototype once however often it is called', () => {
    const seen: (Error | undefined)[] = [];
    const prototype = { cancel(err?: Error) { seen.push(err); } };
    cancelRequestsWithoutNewErrors(prototype);
    cancelRequestsWithoutNewErrors(prototype);
    const reason = new Error('connection closed');
    prototype.cancel(reason);
    prototype.cancel();
    expect(seen).toEqual([reason, SHARED_CANCELLED_ERROR]);
  });
});
