import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { UserRegisteredSchema, UserSchema, eventMsgId, type EventMessage, type EventSubject } from '@nova/contracts';
import type { EventPublisher } from './events.js';
import { CoalescedFlush, OutboxPublishError, OutboxRowError, flushOutbox, outboxRecord, type OutboxStore, type PendingOutboxRow } from './outbox.js';

/** An in-memory outbox table: the real ones are tested against PostgreSQL in test/domain. */
class MemoryOutbox implements OutboxStore {
  readonly rows: (PendingOutboxRow & { publishedAt?: Date })[] = [];
  add(row: PendingOutboxRow): void {
    this.rows.push(row);
  }
  pending(limit: number): Promise<readonly PendingOutboxRow[]> {
    return Promise.resolve(this.rows.filter((row) => row.publishedAt === undefined).slice(0, limit));
  }
  readonly marks: bigint[][] = [];
  markPublished(ids: readonly bigint[], at: Date): Promise<void> {
    this.marks.push([...ids]);
    for (const row of this.rows) if (ids.includes(row.id)) row.publishedAt = at;
    return Promise.resolve();
  }
}

class RecordingPublisher implements EventPublisher {
  readonly published: { subject: string; message: unknown; msgId: string; routingKey?: string | bigint }[] = [];
  failOn: string | undefined;
  publish<S extends EventSubject>(subject: S, message: EventMessage<S>, options: { msgId: string; routingKey?: string | bigint }): Promise<void> {
    if (options.msgId === this.failOn) return Promise.reject(new Error('nats: timeout'));
    this.published.push({ subject, message, msgId: options.msgId, ...(options.routingKey === undefined ? {} : { routingKey: options.routingKey }) });
    return Promise.resolve();
  }
}

function registered(telegramId: bigint): PendingOutboxRow & { id: bigint } {
  const message = create(UserRegisteredSchema, { user: create(UserSchema, { telegramId, firstName: `user ${telegramId}` }), botId: 9n });
  const record = outboxRecord('nova.user.registered', message, eventMsgId('nova.user.registered', telegramId));
  return { id: telegramId, ...record };
}

describe('flushOutbox', () => {
  it('publishes pending events in order, decoded to their schema, with their msgIDs', async () => {
    const store = new MemoryOutbox();
    store.add(registered(1n));
    store.add(registered(2n));
    const publisher = new RecordingPublisher();
    expect(await flushOutbox(store, publisher)).toBe(2);
    expect(publisher.published.map((event) => event.msgId)).toEqual(['nova.user.registered:1', 'nova.user.registered:2']);
    expect(publisher.published[1]?.message).toMatchObject({ user: { telegramId: 2n, firstName: 'user 2' }, botId: 9n });
    expect(await flushOutbox(store, publisher)).toBe(0);
    expect(publisher.published).toHaveLength(2);
    // One write marks the flush's rows (issue 20: it was one per row); an empty flush writes nothing.
    expect(store.marks).toEqual([[1n, 2n]]);
  });

  it('stops at a failed publish, keeps it and everything after it pending, and resumes later', async () => {
    const store = new MemoryOutbox();
    for (const id of [1n, 2n, 3n]) store.add(registered(id));
    const publisher = new RecordingPublisher();
    publisher.failOn = 'nova.user.registered:2';
    await expect(flushOutbox(store, publisher)).rejects.toBeInstanceOf(OutboxPublishError);
    expect(publisher.published.map((event) => event.msgId)).toEqual(['nova.user.registered:1']);
    // What was published before the failure is marked, so the next flush does not publish it again.
    expect(store.marks).toEqual([[1n]]);
    publisher.failOn = undefined;
    expect(await flushOutbox(store, publisher)).toBe(2);
    expect(publisher.published.map((event) => event.msgId)).toEqual(['nova.user.registered:1', 'nova.user.registered:2', 'nova.user.registered:3']);
  });

  it('publishes each event with the routing key routingKeyOf reads from it, and none without it', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(registered(1n));
    outbox.add(registered(2n));
    const publisher = new RecordingPublisher();
    const routingKeyOf = (_subject: EventSubject, message: EventMessage<EventSubject>) => {
      const user = (message as EventMessage<'nova.user.registered'>).user?.telegramId;
      return user === 2n ? undefined : user;
    };
    await flushOutbox(outbox, publisher, { routingKeyOf });
    expect(publisher.published.map((event) => event.routingKey)).toEqual([1n, undefined]);
    expect(publisher.published[1]).not.toHaveProperty('routingKey');
  });

  it('refuses a row with a subject that is not an event', async () => {
    const store = new MemoryOutbox();
    store.add({ id: 5n, subject: 'nova.user.deleted', msgId: 'x', payload: new Uint8Array() });
    await expect(flushOutbox(store, new RecordingPublisher())).rejects.toBeInstanceOf(OutboxRowError);
  });
});

describe('CoalescedFlush', () => {
  /** A flush the test finishes by hand, counting how many ran and how many ran at once. */
  function gatedFlush() {
    const gates: (() => void)[] = [];
    const state = { started: 0, concurrent: 0, most: 0 };
    const flush = async (): Promise<void> => {
      state.started += 1;
      state.concurrent += 1;
      state.most = Math.max(state.most, state.concurrent);
      await new Promise<void>((resolve) => gates.push(resolve));
      state.concurrent -= 1;
    };
    const finishNext = async (): Promise<void> => {
      while (gates.length === 0) await Promise.resolve();
      gates.shift()?.();
      // Let the finished flush's reactions (and the next one's start) run.
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    return { flush, state, finishNext };
  }

  it('serves requests made during a flush with one more flush, begun after them, never two at once', async () => {
    const { flush, state, finishNext } = gatedFlush();
    const coalesced = new CoalescedFlush(flush);
    const done: number[] = [];
    const first = coalesced.request().then(() => done.push(1));
    const during = Array.from({ length: 20 }, (_, i) => coalesced.request().then(() => done.push(i + 2)));
    await finishNext();
    await first;
    // The 20 asked while the first flush ran: their rows may have missed it, so they wait for the next.
    expect(done).toEqual([1]);
    expect(state.started).toBe(2);
    await finishNext();
    await Promise.all(during);
    expect(done).toHaveLength(21);
    expect(state).toMatchObject({ started: 2, most: 1 });
  });

  it('requestSoon returns at once, joins the flush others wait for, and reports a failed flush once however many shared it', async () => {
    const { flush, state, finishNext } = gatedFlush();
    const coalesced = new CoalescedFlush(flush);
    const errors: unknown[] = [];
    coalesced.requestSoon((error) => errors.push(error));
    expect(state.started).toBe(1);
    const waiting = coalesced.request();
    for (let i = 0; i < 5; i++) coalesced.requestSoon((error) => errors.push(error));
    await finishNext();
    await finishNext();
    await waiting;
    expect(state).toMatchObject({ started: 2, most: 1 });
    expect(errors).toEqual([]);

    let fail = true;
    const failing = new CoalescedFlush(() => (fail ? Promise.reject(new Error('nats: timeout')) : Promise.resolve()));
    for (let i = 0; i < 5; i++) failing.requestSoon((error) => errors.push(error));
    await failing.request().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // The first call's flush and the one the other four shared: two failures, two reports.
    expect(errors.map(String)).toEqual(['Error: nats: timeout', 'Error: nats: timeout']);
    fail = false;
    failing.requestSoon((error) => errors.push(error));
    await failing.request();
    expect(errors).toHaveLength(2);
  });

  it('starts at once when idle, and passes a failed flush\'s error to its requests only', async () => {
    let fail = true;
    const coalesced = new CoalescedFlush(() => (fail ? Promise.reject(new Error('nats: timeout')) : Promise.resolve()));
    await expect(coalesced.request()).rejects.toThrow('nats: timeout');
    fail = false;
    await expect(coalesced.request()).resolves.toBeUndefined();
  });
});
