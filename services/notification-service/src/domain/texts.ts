/**
 * Every word the notification context sends a person comes from its catalogue (catalogue/en.ts,
 * catalogue/ru.ts, checked against catalogue/spec.ts when this module loads). The service and the
 * monolith run this same module, so both sides word a reminder alike.
 */
import { Catalogue, utcDate, type Locale } from '@nova/i18n';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { NOTIFICATION_SPEC } from './catalogue/spec.js';

export const NOTIFICATION_CATALOGUE = new Catalogue('notification', NOTIFICATION_SPEC, { en: EN, ru: RU });

/**
 * A subscription's end, `days` ahead (1: tomorrow), in a locale: the plan kind's name (bots,
 * stories, posting; any other kind as "your subscription"), the day and time in UTC formatted by
 * Intl for the locale, and the command that renews it.
 */
export function subscriptionEndingText(locale: Locale, kind: string, days: number, endsAt: Date): string {
  return NOTIFICATION_CATALOGUE.format(locale, 'subscription-ending', { kind, days, at: utcDate(endsAt, true) });
}
