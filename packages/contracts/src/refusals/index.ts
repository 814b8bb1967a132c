/**
 * Refusals worded for people: a refusing context sends a reason code and its arguments
 * (refusalDetails), and whoever relays the refusal to a person words it in that person's
 * language (wordRefusal). The catalogue lives with the contract, not beside one context's
 * domain, because its readers are other contexts' callers (the main bot in the bots context, the
 * admin panel), which cannot import the publisher's domain (the publisher depends on the bots
 * context): both the monolith and the services read it from here.
 */
import { Catalogue, type Locale } from '@nova/i18n';
import { EN } from './en.js';
import { RU } from './ru.js';
import { REFUSALS, type RefusalArguments, type RefusalReason } from './spec.js';

export { REFUSALS, type RefusalArguments, type RefusalReason, type RefusalSpec } from './spec.js';

export const REFUSAL_CATALOGUE = new Catalogue('refusals', REFUSALS, { en: EN, ru: RU });

/** The ServiceError detail that carries the reason code. */
export const REASON_DETAIL = 'reason';

/** Arguments that are counts: formatted and pluralised as numbers (ids stay text, never grouped). */
const COUNTS: ReadonlySet<string> = new Set(['max', 'length', 'position', 'row']);

export function isRefusalReason(value: string | undefined): value is RefusalReason {
  return value !== undefined && Object.hasOwn(REFUSALS, value);
}

/** The details of a refusal: its reason code and arguments, plus whatever else the refusing side records. */
export function refusalDetails<R extends RefusalReason>(reason: R, args: RefusalArguments<R>, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...extra, ...args, [REASON_DETAIL]: reason };
}

/** A request's field name as the catalogue's key: content.buttons[0][1].url → content-buttons-url. */
export function fieldKey(field: string): string {
  return field.replace(/\[\d+\]/g, '').replace(/[._]/g, '-');
}

/**
 * A refusal in words for a person in `locale`, from a ServiceError's details; undefined when the
 * details name no reason this catalogue knows (a context older than its code, or a refusal that
 * has none yet), so the caller says its own general words rather than the refuser's English.
 */
export function wordRefusal(locale: Locale, details: Readonly<Record<string, string>>): string | undefined {
  const reason = details[REASON_DETAIL];
  if (!isRefusalReason(reason)) return undefined;
  const args: Record<string, string | number> = {};
  for (const name of REFUSALS[reason] as readonly string[]) {
    const value = details[name] ?? '';
    args[name] = name === 'field' ? fieldKey(value) : COUNTS.has(name) && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return (REFUSAL_CATALOGUE.format as (locale: Locale, id: string, args: Record<string, string | number>) => string)(locale, reason, args);
}

/** Telegram's descriptions of the refusals an owner can act on (the Bot API's wording), as reason codes. */
const TELEGRAM_FAILURES: readonly (readonly [RegExp, RefusalReason])[] = [
  [/bot was kicked from/iu, 'telegram-kicked'],
  [/bot is not a member of/iu, 'telegram-not-member'],
  [/need administrator rights|not enough rights/iu, 'telegram-no-right'],
  [/chat not found/iu, 'telegram-chat-not-found'],
  [/bot was blocked by the user/iu, 'telegram-blocked'],
];

/**
 * Why Telegram refused a send, in the reader's language, when its description is one an owner can
 * act on (kicked, not a member, no right to post, unknown chat, blocked); undefined for any other,
 * which the caller shows in Telegram's own words.
 */
export function wordTelegramFailure(locale: Locale, description: string | null | undefined): string | undefined {
  if (description === null || description === undefined) return undefined;
  const reason = TELEGRAM_FAILURES.find(([pattern]) => pattern.test(description))?.[1];
  return reason === undefined ? undefined : wordRefusal(locale, refusalDetails(reason, {} as never));
}

/** The English words of a refusal: the refusing side's error message (logs, and callers older than the codes). */
export function refusalMessage<R extends RefusalReason>(reason: R, args: RefusalArguments<R>): string {
  return wordRefusal('en', refusalDetails(reason, args)) ?? reason;
}
