import { describe, expect, it } from '@jest/globals';
import type { Locale } from '@nova/i18n';
import { InMemoryKeyValueStore } from './in-memory-store.js';
import { reminderKey, sendDueReminders, type EndingSubscription, type EndingSubscriptions, type RecipientLocales } from './reminders.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2, 12);

/** Answers like svc.payment.expiring over a fixed set of subscriptions. */
function source(subscriptions: EndingSubscription[]): EndingSubscriptions {
  return { list: (from, before) => Promise.resolve(subscriptions.filter((s) => s.endsAt >= from && s.endsAt < before)) };
}

/** Answers like the users context: every recipient reads `locale`, but those named in `others`. */
function locales(locale: Locale, others: ReadonlyMap<bigint, Locale> = new Map()): RecipientLocales {
  return { localeOf: (telegramId) => Promise.resolve(others.get(telegramId) ?? locale) };
}

const WORDS = {
  en: { in3days: 'in 3 days', tomorrow: 'tomorrow', when: /in 3 days|tomorrow/ },
  ru: { in3days: 'через 3 дня', tomorrow: 'завтра', when: /через 3 дня|завтра/ },
} as const;

describe.each(['en', 'ru'] as const)('subscription reminders to a person who reads %s', (locale) => {
  const words = WORDS[locale];

  it('sends the 3-day and the 1-day reminder once each, however often the job runs', async () => {
    const store = new InMemoryKeyValueStore();
    const sent: [bigint, string][] = [];
    const sub = { id: 'sub-1', telegramId: 42n, kind: 'posting', endsAt: new Date(NOW + 2.5 * DAY) };
    let now = NOW;
    const deps = { subscriptions: source([sub]), sender: { send: (id: bigint, text: string) => { sent.push([id, text]); return Promise.resolve('sent' as const); } }, locales: locales(locale), store, clock: () => new Date(now) };
    expect(await sendDueReminders(deps)).toBe(1);
    expect(await sendDueReminders(deps)).toBe(0);
    now += 2 * DAY; // half a day left
    expect(await sendDueReminders(deps)).toBe(1);
    expect(await sendDueReminders(deps)).toBe(0);
    expect(sent.map(([id, text]) => [id, words.when.exec(text)?.[0]])).toEqual([[42n, words.in3days], [42n, words.tomorrow]]);
  });

  it('retries a reminder whose send failed, and never one that was claimed and not finished', async () => {
    const store = new InMemoryKeyValueStore();
    const sub = { id: 'sub-2', telegramId: 7n, kind: 'bots', endsAt: new Date(NOW + 0.5 * DAY) };
    let failing = true;
    const sent: [bigint, string][] = [];
    const deps = {
      subscriptions: source([sub]),
      sender: { send: (id: bigint, text: string) => { if (failing) return Promise.reject(new Error('Telegram 502')); sent.push([id, text]); return Promise.resolve('sent' as const); } },
      locales: locales(locale),
      store,
      clock: () => new Date(NOW),
    };
    await expect(sendDueReminders(deps)).rejects.toThrow('Telegram 502');
    failing = false;
    expect(await sendDueReminders(deps)).toBe(1);
    expect(sent).toEqual([[7n, expect.stringContaining(words.tomorrow)]]);
    // A record left at `sending` (the sender died mid-send) is never sent again.
    const other = { ...sub, id: 'sub-3' };
    await store.create(reminderKey(other.id, '1d'), 'sending');
    expect(await sendDueReminders({ ...deps, subscriptions: source([other]) })).toBe(0);
  });
});

describe('subscription reminders in one run', () => {
  it("word each reminder in its recipient's language, not one for all", async () => {
    const sent = new Map<bigint, string>();
    const subs = [
      { id: 'sub-ru', telegramId: 1n, kind: 'posting', endsAt: new Date(NOW + 2 * DAY) },
      { id: 'sub-en', telegramId: 2n, kind: 'posting', endsAt: new Date(NOW + 2 * DAY) },
    ];
    const deps = { subscriptions: source(subs), sender: { send: (id: bigint, text: string) => { sent.set(id, text); return Promise.resolve('sent' as const); } }, locales: locales('en', new Map([[1n, 'ru' as const]])), store: new InMemoryKeyValueStore(), clock: () => new Date(NOW) };
    expect(await sendDueReminders(deps)).toBe(2);
    expect(sent.get(1n)).toMatch(/^⏳ Подписка «публикации» закончится через 3 дня/);
    expect(sent.get(2n)).toMatch(/^⏳ Your posting subscription ends in 3 days/);
  });

  it('leaves a reminder to retry, sending nothing, while the users context cannot say the language', async () => {
    const store = new InMemoryKeyValueStore();
    const sent: bigint[] = [];
    let reachable = false;
    const deps = {
      subscriptions: source([{ id: 'sub-4', telegramId: 9n, kind: 'bots', endsAt: new Date(NOW + 0.5 * DAY) }]),
      sender: { send: (id: bigint) => { sent.push(id); return Promise.resolve('sent' as const); } },
      locales: { localeOf: () => (reachable ? Promise.resolve('ru' as const) : Promise.reject(new Error('svc.user.get: no responders'))) },
      store,
      clock: () => new Date(NOW),
    };
    await expect(sendDueReminders(deps)).rejects.toThrow('no responders');
    expect(sent).toEqual([]);
    expect((await store.get(reminderKey('sub-4', '1d')))?.value).toBe('retry');
    reachable = true;
    expect(await sendDueReminders(deps)).toBe(1);
    expect(sent).toEqual([9n]);
  });
});
