/**
 * Reminders before a subscription ends: 3 days and 1 day before, once each, from the main bot.
 * "Never twice" is the rule: each (subscription, window) has one record in the scheduler's store,
 * claimed with compare-and-set before the message is sent (states sending → sent, or → retry after
 * a failure that surely sent nothing). A process that dies between claim and send leaves the
 * record at `sending`, and that reminder is not sent: one missing reminder, never a duplicate.
 */
import type { Locale } from '@nova/i18n';
import type { ChatOwnership } from './chat-ownership.js';
import { reported, type HandOffCall } from './hand-off-call.js';
import type { KeyValueStore } from './key-value-store.js';
import { subscriptionEndingText } from './texts.js';

const DAY_MS = 86_400_000;

export interface ReminderWindow {
  /** Names the record: `3d`, `1d`. */
  readonly name: string;
  /** How the reminder words it: ends in this many days (1: tomorrow). */
  readonly days: number;
  /** Subscriptions ending in [now + fromMs, now + toMs) get this window's reminder. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** Non-overlapping, so a subscription bought with 2 days left gets only the 1-day reminder... when its time comes. */
export const REMINDER_WINDOWS: readonly ReminderWindow[] = [
  { name: '3d', days: 3, fromMs: DAY_MS, toMs: 3 * DAY_MS },
  { name: '1d', days: 1, fromMs: 0, toMs: DAY_MS },
];

export interface EndingSubscription {
  readonly id: string;
  readonly telegramId: bigint;
  /** bots, stories, posting */
  readonly kind: string;
  readonly endsAt: Date;
}

/** The payments context's answer (svc.payment.expiring). */
export interface EndingSubscriptions {
  list(from: Date, before: Date): Promise<readonly EndingSubscription[]>;
}

/** Sends a reminder; resolves `refused` when Telegram refused for good (the user blocked the bot), throws when it may be retried. */
export interface ReminderSender {
  send(telegramId: bigint, text: string): Promise<'sent' | 'refused'>;
}

/**
 * The language each recipient reads (the users context: their /language choice, else their
 * Telegram app's): a reminder goes out in its recipient's language, whoever runs the job. Throws
 * a retryable error when the users context cannot answer; English for a user it never saw.
 */
export interface RecipientLocales {
  localeOf(telegramId: bigint): Promise<Locale>;
}

export type ReminderState = 'sending' | 'sent' | 'refused' | 'retry';

export function reminderKey(subscriptionId: string, window: string): string {
  // KV keys allow [-/_=.a-zA-Z0-9]; subscription ids are uuids.
  return `reminder.${subscriptionId.replace(/[^-_=a-zA-Z0-9]/g, '_')}.${window}`;
}

/** The reminder in its recipient's language (texts.ts, the notification catalogue). */
export function reminderText(subscription: EndingSubscription, window: ReminderWindow, locale: Locale): string {
  return subscriptionEndingText(locale, subscription.kind, window.days, subscription.endsAt);
}

export interface ReminderDeps {
  readonly subscriptions: EndingSubscriptions;
  readonly sender: ReminderSender;
  readonly locales: RecipientLocales;
  readonly store: KeyValueStore;
  readonly clock: () => Date;
  /** Told of each reminder sent, with when it fell due (its subscription entered the window): the hand-off lag. */
  readonly sent?: (dueAt: Date) => void;
  /** Told of each send and each listing that failed (due-posts.ts HandOffCall). */
  readonly called?: HandOffCall;
}

/**
 * The subscriptions of this scheduler's side only (the owner's chat, read at each listing). The
 * records below stay shared by both sides: a reminder both sides took for theirs while the weight
 * changed is still claimed once.
 */
export function ownedSubscriptions(subscriptions: EndingSubscriptions, chats: ChatOwnership): EndingSubscriptions {
  return {
    async list(from, before) {
      if (chats.snapshot().none) return [];
      const listed = await subscriptions.list(from, before);
      const owned = chats.snapshot();
      return listed.filter((subscription) => owned.owns(subscription.telegramId));
    },
  };
}

/** Claims the record of one reminder: true when this caller must send it now. */
async function claim(store: KeyValueStore, key: string): Promise<number | undefined> {
  const current = await store.get(key);
  if (current === undefined) return store.create(key, 'sending');
  if (current.value !== 'retry') return undefined;
  return store.update(key, 'sending', current.revision);
}

/** Sends every reminder now due; answers how many were sent. */
export async function sendDueReminders(deps: ReminderDeps): Promise<number> {
  const now = deps.clock().getTime();
  let sent = 0;
  for (const window of REMINDER_WINDOWS) {
    const ending = await reported(deps.called, () => deps.subscriptions.list(new Date(now + window.fromMs), new Date(now + window.toMs)), 0, 1);
    for (const subscription of ending) {
      const key = reminderKey(subscription.id, window.name);
      const revision = await claim(deps.store, key);
      if (revision === undefined) continue;
      let state: ReminderState;
      try {
        // The recipient's language is asked per reminder, inside the claim and as part of its
        // hand-off: a users context that cannot answer leaves the record at `retry` (nothing was
        // sent), so a later tick sends it in their language rather than a guess.
        // A refusal for good (the user blocked the bot) is the user's answer, not a failure of this side.
        state = await reported(deps.called, async () => deps.sender.send(subscription.telegramId, reminderText(subscription, window, await deps.locales.localeOf(subscription.telegramId))), 1);
      } catch (error) {
        await deps.store.update(key, 'retry' satisfies ReminderState, revision);
        throw error;
      }
      await deps.store.update(key, state, revision);
      if (state === 'sent') {
        sent += 1;
        deps.sent?.(new Date(subscription.endsAt.getTime() - window.toMs));
      }
    }
  }
  return sent;
}
