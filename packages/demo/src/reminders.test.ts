import { describe, expect, it } from '@jest/globals';
import { subscriptionEndingText } from '@nova/notification-service/domain';
import { countReminders, isReminder, missingReminders, owedReminders, planSeeds, remindersLine, remindersWhole, type SentMessage } from './reminders.js';

const DAY = 86_400_000;
const SEEDED_AT = Date.UTC(2026, 11, 5, 14, 0, 0);
const MINUTE = 60_000;

describe('the whole plan\'s seeded subscriptions', () => {
  it('fall due one after another over the span: even users enter the 3-day window then, odd ones the 1-day window; kinds and providers in turn', () => {
    const seeds = planSeeds([61001, 61002, 61003, 61004], SEEDED_AT, 8 * MINUTE);
    expect(seeds.map((seed) => (seed.endsAt.getTime() - SEEDED_AT) / MINUTE)).toEqual([3 * 1440 + 2, 1440 + 4, 3 * 1440 + 6, 1440 + 8]);
    expect(seeds.map((seed) => `${String(seed.telegramId)} ${seed.planId} ${seed.provider}`)).toEqual([
      '61001 bots-30d cryptobot', '61002 posting-30d platega', '61003 stories-30d cryptobot', '61004 bots-30d platega',
    ]);
  });

  it('are owed each window they are in before they end, from when they enter it (or the seeding), in the domain\'s own words', () => {
    const seeds = planSeeds([61001, 61002], SEEDED_AT, 8 * MINUTE);
    const owed = owedReminders(seeds, SEEDED_AT);
    expect(owed.map((reminder) => `${String(reminder.telegramId)} ${reminder.window} +${String((reminder.dueAt - SEEDED_AT) / MINUTE)}m`)).toEqual([
      // Enters the 3-day window 4 minutes in; its 1-day window is two days later.
      `61001 3d +4m`, `61001 1d +${String(2 * 1440 + 4)}m`,
      // Already in the 3-day window at the seeding (owed at once), enters the 1-day window 8 minutes in.
      '61002 3d +0m', '61002 1d +8m',
    ]);
    expect(owed[0]?.text).toBe(subscriptionEndingText('en', 'bots', 3, seeds[0]?.endsAt ?? new Date(0)));
    expect(owed[3]?.text).toBe(subscriptionEndingText('en', 'posting', 1, seeds[1]?.endsAt ?? new Date(0)));
    // A subscription past a window's end at the seeding is owed nothing for it.
    expect(owedReminders([{ telegramId: 1, kind: 'bots', planId: 'bots-30d', provider: 'cryptobot', endsAt: new Date(SEEDED_AT + DAY / 2) }], SEEDED_AT).map((reminder) => reminder.window)).toEqual(['1d']);
  });
});

describe('counting the reminders the users received', () => {
  const seeds = planSeeds([61001, 61002], SEEDED_AT, 8 * MINUTE);
  const owed = owedReminders(seeds, SEEDED_AT);
  const [bots3d, , posting3d, posting1d] = owed;
  const got = (reminder: typeof bots3d, atMinutes: number): SentMessage => ({ chat: reminder?.telegramId ?? 0, text: reminder?.text ?? '', at: SEEDED_AT + atMinutes * MINUTE });
  const reply: SentMessage = { chat: 61001, text: '📣 Post #3 went out', at: SEEDED_AT };

  it('knows a reminder by the catalogue\'s shape, in either language, and nothing else the main bot says', () => {
    expect(isReminder(subscriptionEndingText('en', 'bots', 3, new Date(SEEDED_AT)))).toBe(true);
    expect(isReminder(subscriptionEndingText('ru', 'stories', 1, new Date(SEEDED_AT)))).toBe(true);
    expect(isReminder('✅ Payment received: More bots, 30 days. Send /subscribe to see your plans.')).toBe(false);
    expect(isReminder(reply.text)).toBe(false);
  });

  it('expects those due before the plan ended, each received once: the rest are neither owed nor a fault if they come in the drain', () => {
    const cutoff = SEEDED_AT + 6 * MINUTE;
    const counts = countReminders(owed, [reply, got(posting3d, 0.1), got(bots3d, 4.1)], cutoff);
    expect(counts).toEqual({ expected: 2, received: 2, doubled: 0, missing: [], missingCount: 0, unexpected: 0 });
    expect(remindersWhole(counts)).toBe(true);
    // The 1-day reminder due at 8 minutes, come in the drain: received, not expected, not wrong.
    expect(countReminders(owed, [got(posting3d, 0.1), got(bots3d, 4.1), got(posting1d, 8.05)], cutoff)).toMatchObject({ expected: 2, received: 3, unexpected: 0 });
    expect(remindersLine(counts)).toBe('2 due while the plan ran, 2 received, 0 doubled: every reminder due received once');
    expect(remindersLine({ ...counts, bySide: { legacy: 1, target: 1 } })).toBe('2 due while the plan ran, 2 received (sent by the monolith 1, by the notification service 1), 0 doubled: every reminder due received once');
  });

  it('counts a second copy as a double, a reminder due and never received as missing, and one owed to nobody or sent before its window as unexpected', () => {
    const cutoff = SEEDED_AT + 9 * MINUTE;
    const doubled = countReminders(owed, [got(posting3d, 0.1), got(posting3d, 0.2), got(bots3d, 4.1), got(posting1d, 8.1)], cutoff);
    expect(doubled).toMatchObject({ expected: 3, received: 3, doubled: 1, missingCount: 0, unexpected: 0 });
    const missing = countReminders(owed, [got(bots3d, 4.1)], cutoff);
    expect(missing).toMatchObject({ expected: 3, received: 1, doubled: 0, missing: ['chat 61002, 3d', 'chat 61002, 1d'], missingCount: 2 });
    expect(missingReminders(owed, [got(bots3d, 4.1)], cutoff).map((reminder) => reminder.window)).toEqual(['3d', '1d']);
    // Before its window (the 1-day reminder at 5 minutes, due at 8), and a reminder for a subscription nobody seeded.
    const stray: SentMessage = { chat: 61001, text: subscriptionEndingText('en', 'stories', 3, new Date(SEEDED_AT + 3 * DAY)), at: SEEDED_AT };
    const unexpected = countReminders(owed, [got(posting3d, 0.1), got(bots3d, 4.1), got(posting1d, 5), stray], cutoff);
    expect(unexpected).toMatchObject({ received: 3, unexpected: 2, missingCount: 0 });
    for (const wrong of [doubled, missing, unexpected]) expect(remindersWhole(wrong)).toBe(false);
    expect(remindersLine(missing)).toBe('3 due while the plan ran, 1 received, 0 doubled: 2 MISSING (chat 61002, 3d; chat 61002, 1d)');
    expect(remindersLine(doubled)).toBe('3 due while the plan ran, 3 received, 1 doubled: 1 DOUBLED');
    expect(remindersLine(unexpected)).toContain('2 UNEXPECTED');
  });
});
