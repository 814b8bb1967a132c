/**
 * The whole plan's subscription reminders (issue 22): which reminders the simulated users must
 * receive, and what they received.
 *
 * The users buy 30-day plans in the run, so none of those falls due. Before the fleet starts, the
 * demo seeds one subscription per user as a purchase made about four weeks earlier
 * (seed-subscriptions.ts), planned here so that each user's falls due at its own moment of the
 * run: every other one enters the 3-day window during the run, and the others are already in it
 * (their 3-day reminder goes out at the scheduler's first tick) and enter the 1-day window during
 * the run. The reminders then go out from whichever side's scheduler owns the user's chat at that
 * moment: the monolith before stage 6 moves, the notification service after.
 *
 * Counting: each reminder the domain owes (a seeded subscription and a window) has one text, the
 * domain's own (`reminderText`, in the users' language: English, their Telegram app says none),
 * so the main bot's messages to a user's chat tell exactly which reminder each one is. A reminder
 * must reach its chat once (the domain claims one record per subscription and window before
 * sending: reminders.ts in the notification context); a second copy is a double. A reminder due
 * before the plan ended and never received is missing; a reminder-shaped message that matches no
 * reminder owed, or one received before its window, is unexpected. All three fail the verdict.
 */
import { REMINDER_WINDOWS, reminderText, type ReminderWindow } from '@nova/notification-service/domain';

/** The kinds a seeded subscription is of, in turn (the plans the main bot offers: bots-30d, posting-30d, stories-30d). */
export const SEEDED_KINDS = ['bots', 'posting', 'stories'] as const;
export type SeededKind = (typeof SEEDED_KINDS)[number];

/** The users' language: the simulated users' Telegram app names none, so the users context answers English. */
const USERS_LOCALE = 'en';
/** A reminder, in either language, begins with the catalogue's ⏳ and names /subscribe (notification catalogue). */
const REMINDER_SHAPE = /^⏳[^]*\/subscribe/u;


/** One subscription the demo seeds: whose, which plan, and when it ends. */
export interface SeededSubscription {
  readonly telegramId: number;
  readonly kind: SeededKind;
  readonly planId: string;
  readonly provider: 'cryptobot' | 'platega';
  readonly endsAt: Date;
}

/** A reminder the domain owes: to whom, for which window, from when, in which words. */
export interface OwedReminder {
  readonly telegramId: number;
  readonly window: string;
  /** When its subscription enters the window (or the seeding, if it is inside already): not sent before. */
  readonly dueAt: number;
  readonly text: string;
}

/** A message the main bot sent (the emulator's record). */
export interface SentMessage {
  readonly chat: number;
  readonly text: string;
  readonly at: number;
}

export interface ReminderCounts {
  /** Owed reminders due before the plan ended: each must be received. */
  readonly expected: number;
  /** Owed reminders received at least once (those due after the plan ended too, if they came in the drain). */
  readonly received: number;
  /** Copies beyond one of an owed reminder. */
  readonly doubled: number;
  /** Due before the plan ended, never received ("User chat 61003, 1d"), the first few; `missingCount` all of them. */
  readonly missing: readonly string[];
  readonly missingCount: number;
  /** Reminder-shaped messages that match no owed reminder, or came before their window. */
  readonly unexpected: number;
  /** Reminders each side's scheduler counted as sent (its subscriptions hand-offs; no subscription ends in the run). */
  readonly bySide?: { readonly legacy: number; readonly target: number };
}

const MISSING_SHOWN = 5;

/** The catalogue's shape of a reminder, in either language. */
export function isReminder(text: string): boolean {
  return REMINDER_SHAPE.test(text);
}

/**
 * One subscription per user, falling due one after another over `spanMs` from `seededAt`: user k
 * at (k + 1) · spanMs / n. Even k: it enters the 3-day window then; odd k: it ends a day after
 * that moment, so it is in the 3-day window already and enters the 1-day window then. Kinds and
 * providers in turn.
 */
export function planSeeds(telegramIds: readonly number[], seededAt: number, spanMs: number): SeededSubscription[] {
  const count = telegramIds.length;
  return telegramIds.map((telegramId, k) => {
    const entersAt = seededAt + Math.round(((k + 1) * spanMs) / count);
    const window = k % 2 === 0 ? windowNamed('3d') : windowNamed('1d');
    const kind = SEEDED_KINDS[k % SEEDED_KINDS.length] ?? 'bots';
    return { telegramId, kind, planId: `${kind}-30d`, provider: k % 2 === 0 ? 'cryptobot' : 'platega', endsAt: new Date(entersAt + window.toMs) };
  });
}

function windowNamed(name: string): ReminderWindow {
  const window = REMINDER_WINDOWS.find((each) => each.name === name);
  if (window === undefined) throw new RangeError(`the notification context has no reminder window ${name}`);
  return window;
}

/** Every reminder the seeded subscriptions are owed from `seededAt` on: each window they are in at some moment before they end. */
export function owedReminders(seeds: readonly SeededSubscription[], seededAt: number): OwedReminder[] {
  const owed: OwedReminder[] = [];
  for (const seed of seeds) {
    const ends = seed.endsAt.getTime();
    for (const window of REMINDER_WINDOWS) {
      // In the window while ends - toMs < t <= ends - fromMs: owed if that is not over at the seeding.
      if (ends - window.fromMs <= seededAt) continue;
      const subscription = { id: '', telegramId: BigInt(seed.telegramId), kind: seed.kind, endsAt: seed.endsAt };
      owed.push({ telegramId: seed.telegramId, window: window.name, dueAt: Math.max(seededAt, ends - window.toMs), text: reminderText(subscription, window, USERS_LOCALE) });
    }
  }
  return owed;
}

/** The owed reminders due by `cutoff` that `sent` lacks: what a drain still waits for. */
export function missingReminders(owed: readonly OwedReminder[], sent: readonly SentMessage[], cutoff: number): OwedReminder[] {
  const seen = new Set(sent.map((message) => `${String(message.chat)}\n${message.text}`));
  return owed.filter((reminder) => reminder.dueAt <= cutoff && !seen.has(`${String(reminder.telegramId)}\n${reminder.text}`));
}

/** What the users received of the reminders owed: `sent` is every message the main bot sent; `cutoff` when the plan ended. */
export function countReminders(owed: readonly OwedReminder[], sent: readonly SentMessage[], cutoff: number): ReminderCounts {
  const copies = new Map<string, SentMessage[]>();
  for (const message of sent) {
    if (!isReminder(message.text)) continue;
    const key = `${String(message.chat)}\n${message.text}`;
    const got = copies.get(key);
    if (got === undefined) copies.set(key, [message]);
    else got.push(message);
  }
  let received = 0;
  let doubled = 0;
  let early = 0;
  const matched = new Set<string>();
  for (const reminder of owed) {
    const key = `${String(reminder.telegramId)}\n${reminder.text}`;
    const got = copies.get(key) ?? [];
    matched.add(key);
    if (got.length > 0) received++;
    doubled += Math.max(0, got.length - 1);
    early += got.filter((message) => message.at < reminder.dueAt).length;
  }
  const stray = [...copies].filter(([key]) => !matched.has(key)).reduce((sum, [, messages]) => sum + messages.length, 0);
  const missing = missingReminders(owed, sent, cutoff);
  return {
    expected: owed.filter((reminder) => reminder.dueAt <= cutoff).length,
    received, doubled,
    missing: missing.slice(0, MISSING_SHOWN).map((reminder) => `chat ${String(reminder.telegramId)}, ${reminder.window}`),
    missingCount: missing.length,
    unexpected: stray + early,
  };
}

/** Whether the users got every reminder due, once, and nothing else shaped like one. */
export function remindersWhole(counts: ReminderCounts): boolean {
  return counts.missingCount === 0 && counts.doubled === 0 && counts.unexpected === 0;
}

/** The report's line: "12 due, 12 received (monolith 7, notification service 5), 0 doubled: …". */
export function remindersLine(counts: ReminderCounts): string {
  const sides = counts.bySide === undefined ? '' : ` (sent by the monolith ${String(counts.bySide.legacy)}, by the notification service ${String(counts.bySide.target)})`;
  const head = `${String(counts.expected)} due while the plan ran, ${String(counts.received)} received${sides}, ${String(counts.doubled)} doubled`;
  if (remindersWhole(counts)) return `${head}: every reminder due received once`;
  const problems = [
    ...(counts.missingCount === 0 ? [] : [`${String(counts.missingCount)} MISSING (${counts.missing.join('; ')}${counts.missingCount > counts.missing.length ? '; …' : ''})`]),
    ...(counts.doubled === 0 ? [] : [`${String(counts.doubled)} DOUBLED`]),
    ...(counts.unexpected === 0 ? [] : [`${String(counts.unexpected)} UNEXPECTED (owed to no seeded subscription, or before its window)`]),
  ];
  return `${head}: ${problems.join(', ')}`;
}

