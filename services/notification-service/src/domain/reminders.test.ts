import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyValueStore } from './in-memory-store.js';
import { reminderKey, sendDueReminders, type EndingSubscription, type EndingSubscriptions } from './reminders.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2, 12);

/** Answers like svc.payment.expiring over a fixed set of subscriptions. */
function source(subscriptions: EndingSubscription[]): EndingSubscriptions {
  return { list: (from, before) => Promise.resolve(subscriptions.filter((s) => s.endsAt >= from && s.endsAt < before)) };
}

describe('subscription reminders', () => {
  it('sends the 3-day and the 1-day reminder once each, however often the job runs', async () => {
    const store = new InMemoryKeyValueStore();
    const sent: [bigint, string][] = [];
    const sub = { id: 'sub-1', telegramId: 42n, kind: 'posting', endsAt: new Date(NOW + 2.5 * DAY) };
    let now = NOW;
    const deps = { subscriptions: source([sub]), sender: { send: (id: bigint, text: string) => { sent.push([id, text]); return Promise.resolve('sent' as const); } }, store, clock: () => new Date(now) };
    expect(await sendDueReminders(deps)).toBe(1);
    expect(await sendDueReminders(deps)).toBe(0);
    now += 2 * DAY; // half a day left
    expect(await sendDueReminders(deps)).toBe(1);
    expect(await sendDueReminders(deps)).toBe(0);
    expect(sent.map(([id, text]) => [id, /in 3 days|tomorrow/.exec(text)?.[0]])).toEqual([[42n, 'in 3 days'], [42n, 'tomorrow']]);
  });

  it('retries a reminder whose send failed, and never one that was claimed and not finished', async () => {
    const store = new InMemoryKeyValueStore();
    const sub = { id: 'sub-2', telegramId: 7n, kind: 'bots', endsAt: new Date(NOW + 0.5 * DAY) };
    let failing = true;
    const sent: bigint[] = [];
    const deps = {
      subscriptions: source([sub]),
      sender: { send: (id: bigint) => { if (failing) return Promise.reject(new Error('Telegram 502')); sent.push(id); return Promise.resolve('sent' as const); } },
      store,
      clock: () => new Date(NOW),
    };
    await expect(sendDueReminders(deps)).rejects.toThrow('Telegram 502');
    failing = false;
    expect(await sendDueReminders(deps)).toBe(1);
    expect(sent).toEqual([7n]);
    // A record left at `sending` (the sender died mid-send) is never sent again.
    const other = { ...sub, id: 'sub-3' };
    await store.create(reminderKey(other.id, '1d'), 'sending');
    expect(await sendDueReminders({ ...deps, subscriptions: source([other]) })).toBe(0);
  });
});
